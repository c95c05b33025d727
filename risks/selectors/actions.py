"""Mitigation actions: mine across projects, a project's by owner, exports."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.http import UrlTemplate
from core.lists import CappedPaginator
from projects.models import Membership
from risks.models import OPEN_ACTION_STATUSES, ActionStatus, MitigationAction

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
    membership = Membership.objects.filter(project_id=OuterRef("risk__project_id"), user=user)
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
    """
    today = timezone.localdate()
    base = MitigationAction.objects.filter(risk__project=project)
    open_q = Q(status__in=OPEN_ACTION_STATUSES)
    # Counted per owner id alone (no join per action), then the few owners read by id.
    counts = {
        row["owner_id"]: row
        for row in base.order_by()
        .values("owner_id")
        .annotate(
            open_count=Count("pk", filter=open_q),
            overdue_count=Count("pk", filter=open_q & Q(due_date__lt=today)),
            done_count=Count("pk", filter=Q(status=ActionStatus.DONE)),
        )
    }
    owners = (
        User.objects.filter(pk__in=list(counts))
        .annotate(is_member=Exists(Membership.objects.filter(project=project, user=OuterRef("pk"))))
        .only("pk", "full_name", "email")
    )
    groups = {}
    for owner in owners:
        row = counts[owner.pk]
        groups[owner.pk] = OwnerActions(
            owner=owner,
            is_member=owner.is_member,
            open_count=row["open_count"],
            overdue_count=row["overdue_count"],
            done_count=row["done_count"],
        )
    urgency = [F("due_date").asc(nulls_last=True), F("pk").asc()]
    open_actions = base.filter(open_q).select_related("risk").only(*_ACTION_ROW_FIELDS)
    expanded = groups.get(expanded_owner)
    if expanded:
        paginator = Paginator(
            open_actions.filter(owner_id=expanded.owner.pk).order_by(*urgency),
            OWNER_ACTIONS_PER_PAGE,
        )
        paginator.count = expanded.open_count  # counted above
        expanded.page = paginator.get_page(page_number)
        expanded.actions = list(expanded.page.object_list)
        open_actions = open_actions.exclude(owner_id=expanded.owner.pk)
    # Each owner's open actions numbered by urgency: the first ``limit`` of each current
    # owner's, all of those who left.
    left = [pk for pk, group in groups.items() if not group.is_member]
    shown = (
        Case(
            When(owner_id__in=left, then=Value(2**31)),
            default=Value(limit),
            output_field=IntegerField(),
        )
        if left
        else Value(limit)
    )
    # Numbered over narrow rows (id, owner, due date); only the chosen rows are read whole.
    chosen = (
        open_actions.annotate(
            urgency_rank=Window(RowNumber(), partition_by=[F("owner_id")], order_by=urgency),
            shown=shown,
        )
        .filter(urgency_rank__lte=F("shown"))
        .values("pk")
    )
    ranked = (
        MitigationAction.objects.filter(pk__in=chosen)
        .select_related("risk")
        .only(*_ACTION_ROW_FIELDS)
        .order_by(*urgency)
    )
    for action in ranked:
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


def actions_export_rows(project, filters=None):
    """Actions of the findings the register's filters select (and of the owner filtered on)."""
    filters = filters or {}
    risks = register_queryset(project, filters).values("pk")
    actions = MitigationAction.objects.filter(risk__in=risks)
    if filters.get("owner"):
        actions = actions.filter(owner=filters["owner"])
    return actions.select_related("risk", "owner", "completed_by").order_by("risk_id", "pk")
