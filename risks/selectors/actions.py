"""Mitigation actions: mine across projects, a project's by owner, exports."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.http import UrlTemplate
from core.lists import CappedPaginator
from projects.models import Membership
from risks.models import OPEN_ACTION_STATUSES, ActionStatus, MitigationAction, Risk

from .register import owner_is_member, register_queryset


def action_get(access, pk):
    """An action of a finding of the viewer's project (else 404)."""
    return get_object_or_404(
        MitigationAction.objects.select_related("risk__project", "owner"),
        risk__project=access.project,
        pk=pk,
    )


def my_open_actions_queryset(user):
    """Open actions the user owns, in projects they are still a member of; overdue first.

    Due date first is overdue first (an overdue action is due before today, an undated
    one is never overdue), and the (owner, due date) index gives that order without
    sorting every action the user owns.
    """
    membership = Membership.objects.filter(project_id=OuterRef("project_id"), user=user)
    return (
        MitigationAction.objects.filter(owner=user, status__in=OPEN_ACTION_STATUSES)
        .filter(Exists(membership))
        .select_related("risk__project")
        .only(*MY_ACTION_FIELDS)
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


# What a row of My actions shows (the sort holds the rows, so they carry no more).
MY_ACTION_FIELDS = (
    "description", "notes", "due_date", "status", "owner_id",
    "risk__number", "risk__title", "risk__project_id", "risk__project__name",
)  # fmt: skip


def my_open_actions(user):
    return list(my_open_actions_queryset(user))


MY_ACTIONS_PER_PAGE = 50
# My actions counts up to this many ("Page 1 of 10+ (500+ actions)"), so that someone
# owning thousands of actions across projects gets the first pages at the same cost.
MY_ACTIONS_COUNT_CAP = 500


class ActionLinks:
    """The links of an action row, reversed once and filled in per row, in any project."""

    def __init__(self):
        self.status = UrlTemplate("risks:action_status", free=2)
        self.edit = UrlTemplate("risks:action_edit", free=2)
        self.risk = UrlTemplate("risks:risk_detail", free=2)

    def decorate(self, actions):
        """Give each action ``status_url``, ``edit_url`` and ``risk_url``."""
        for action in actions:
            project_id = action.risk.project_id
            action.status_url = self.status.fill(project_id, action.pk)
            action.edit_url = self.edit.fill(project_id, action.pk)
            action.risk_url = self.risk.fill(project_id, action.risk_id)
        return actions


def my_open_actions_page(user, page_number):
    """One page of My actions (a count up to MY_ACTIONS_COUNT_CAP and the page's rows),
    each row with its links."""
    page = CappedPaginator(
        my_open_actions_queryset(user), MY_ACTIONS_PER_PAGE, cap=MY_ACTIONS_COUNT_CAP
    ).get_page(page_number)
    page.object_list = ActionLinks().decorate(list(page.object_list))
    return page


def action_row(project, pk):
    """One action re-read for a row fragment (after a status change), with its links."""
    action = (
        MitigationAction.objects.select_related("risk__project", "owner", "completed_by")
        .annotate(owner_is_member=owner_is_member(project.pk))
        .get(risk__project=project, pk=pk)
    )
    return ActionLinks().decorate([action])[0]


@dataclass
class OwnerActions:
    owner: User
    is_member: bool
    open_count: int = 0
    overdue_count: int = 0
    done_count: int = 0
    actions: list = field(default_factory=list)
    page: object = None  # the page of all their open actions, for the owner expanded

    @property
    def hidden_count(self):
        return self.open_count - len(self.actions)


# Open actions listed per current owner before "show all" (most urgent first); "show all"
# pages through one owner's open actions.
ACTIONS_PER_OWNER = 10
OWNER_ACTIONS_PER_PAGE = 50
_ACTION_ROW_FIELDS = (
    "description", "due_date", "status", "owner_id",
    "risk__number", "risk__title", "risk__project_id",
)  # fmt: skip


def actions_by_owner(project, *, expanded_owner=None, page_number=None, limit=ACTIONS_PER_OWNER):
    """Per owner: open / overdue / done counts and the most urgent open actions; for
    ``expanded_owner``, the page ``page_number`` of all their open actions (``group.page``),
    and all of them for owners who left.

    Returns (members, former): owners still in the project, and owners who are
    not any more, whose open actions wait for the project manager to reassign.

    Everything is read through the (project, owner, ...) indexes: the counts from one
    index alone, and each owner's most urgent actions as a short range of the other, so
    the page costs the same with 50 or 5,000 actions in the project.
    """
    groups = {
        owner.pk: OwnerActions(
            owner=owner,
            is_member=bool(owner.is_member),
            open_count=owner.open_count,
            overdue_count=owner.overdue_count,
            done_count=owner.done_count,
        )
        for owner in _owners_with_counts(project)
    }
    urgency = [F("due_date").asc(nulls_last=True), F("pk").asc()]
    expanded = groups.get(expanded_owner)
    if expanded:
        paginator = Paginator(
            MitigationAction.objects.filter(
                project=project, owner_id=expanded.owner.pk, status__in=OPEN_ACTION_STATUSES
            )
            .select_related("risk")
            .only(*_ACTION_ROW_FIELDS)
            .order_by(*urgency),
            OWNER_ACTIONS_PER_PAGE,
        )
        paginator.count = expanded.open_count  # counted above
        expanded.page = paginator.get_page(page_number)
        expanded.actions = list(expanded.page.object_list)
    parts = [
        _most_urgent(group, limit)
        for group in groups.values()
        if group is not expanded and group.open_count
    ]
    for action in _open_actions_of(project, parts):
        groups[action.owner_id].actions.append(action)
    risk_link = UrlTemplate("risks:risk_detail", project.pk)
    for group in groups.values():
        for action in group.actions:
            action.owner = group.owner
            action.risk_url = risk_link.fill(action.risk_id)
    ordered = sorted(groups.values(), key=lambda g: (g.owner.full_name.lower(), g.owner.email))
    members = [g for g in ordered if g.is_member]
    former = [g for g in ordered if not g.is_member and g.open_count]
    return members, former


_OWNERS_SQL = (
    'SELECT u."id", u."email", u."full_name", EXISTS (SELECT 1 FROM "projects_membership" m'
    ' WHERE m."project_id" = %s AND m."user_id" = u."id") AS "is_member", c."open_count",'
    ' c."overdue_count", c."undated_count", c."done_count" FROM (SELECT "owner_id",'
    ' COUNT(*) FILTER (WHERE "status" IN (%s, %s)) AS "open_count",'
    ' COUNT(*) FILTER (WHERE "status" IN (%s, %s) AND "due_date" < %s) AS "overdue_count",'
    ' COUNT(*) FILTER (WHERE "status" IN (%s, %s) AND "due_date" IS NULL) AS "undated_count",'
    ' COUNT(*) FILTER (WHERE "status" = %s) AS "done_count"'
    ' FROM "risks_mitigationaction" WHERE "project_id" = %s GROUP BY "owner_id") c'
    ' INNER JOIN "accounts_user" u ON u."id" = c."owner_id"'
)


def _owners_with_counts(project):
    """Everyone who owns an action of the project, with ``is_member`` and their open,
    overdue, undated open and done counts, counted from the (project, owner, status, due
    date) index alone.

    One plain statement, as ``_open_actions_of``: the ORM spent longer building these
    counts and the owners' query than the database spends on them.
    """
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    open_ = sorted(OPEN_ACTION_STATUSES)
    params = [project.pk, *open_, *open_, today, *open_, ActionStatus.DONE.value, project.pk]
    return User.objects.raw(_OWNERS_SQL, params)


def _most_urgent(group, limit):
    """Which open actions of ``group``'s owner the page lists, as (owner id, dated, limit)
    parts for ``_open_actions_of``: all of them for an owner who left (to reassign) or who
    has no more than ``limit``, else the first ``limit`` in due order (dated first, then
    undated)."""
    owner = group.owner.pk
    if not group.is_member or group.open_count <= limit:
        return [(owner, None, None)]
    dated_count = group.open_count - group.owner.undated_count
    if dated_count >= limit:
        return [(owner, True, limit)]
    return [(owner, True, None), (owner, False, limit - dated_count)]


# The parts of _open_actions_of: every open action of an owner, the first dated ones in due
# order, the first undated ones (a LIMIT follows when given); each row with its finding's
# number and title.
_PART_SQL = (
    'SELECT a."id", a."risk_id", a."project_id", a."description", a."owner_id", a."due_date",'
    ' a."status", r."number" AS "risk_number", r."title" AS "risk_title"'
    ' FROM "risks_mitigationaction" a INNER JOIN "risks_risk" r ON r."id" = a."risk_id"'
    ' WHERE a."project_id" = %s AND a."owner_id" = %s AND a."status" IN (%s, %s)'
)
_PART_ORDER = {
    None: "",
    True: ' AND a."due_date" IS NOT NULL ORDER BY a."due_date", a."id"',
    False: ' AND a."due_date" IS NULL ORDER BY a."id"',
}


def _open_actions_of(project, parts):
    """The open actions the parts name (each part a range of the (project, owner, due date,
    id) index, read no further than its LIMIT), most urgent first, each with its finding's
    number and title.

    One plain statement: the ORM spent longer building it, part by part, than the
    database spends running it (it was most of the page's cost), and it can only join
    such parts with OR (``pk__in=...|pk__in=...``; SQLite refuses a LIMIT in a union of
    querysets), which reads every open action of the project against each part. Here
    each part is its own index range joined with its few findings, and the parts' rows
    are the rows shown (looked up again by id, or joined with the findings after the
    union, PostgreSQL chose to scan a whole table).
    """
    parts = [part for owner_parts in parts for part in owner_parts]
    if not parts:
        return []
    sql, params = [], []
    for index, (owner, dated, limit) in enumerate(parts):
        part = _PART_SQL + _PART_ORDER[dated] + (" LIMIT %s" if limit else "")
        sql.append(f'SELECT * FROM ({part}) AS "part{index}"')  # noqa: S608 (constants)
        params += [project.pk, owner, *sorted(OPEN_ACTION_STATUSES)]
        if limit:
            params.append(limit)
    union = " UNION ALL ".join(sql)
    actions = list(
        MitigationAction.objects.raw(
            f'SELECT * FROM ({union}) AS "parts" ORDER BY "due_date" ASC NULLS LAST, "id" ASC',  # noqa: S608
            params,
        )
    )
    for action in actions:
        # Only what a row shows (the names in the order of Risk's fields, as from_db wants).
        action.risk = Risk.from_db(
            None,
            ["id", "project_id", "number", "title"],
            [action.risk_id, project.pk, action.risk_number, action.risk_title],
        )
    return actions


def actions_export_rows(project, filters=None):
    """Actions of the findings the register's filters select (and of the owner filtered on)."""
    filters = filters or {}
    risks = register_queryset(project, filters).values("pk")
    actions = MitigationAction.objects.filter(risk__in=risks)
    if filters.get("owner"):
        actions = actions.filter(owner=filters["owner"])
    return actions.select_related("risk", "owner", "completed_by").order_by("risk_id", "pk")
