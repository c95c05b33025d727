"""Reads of checklist items: rows with their sign-offs, one item's page, what awaits whom."""

import datetime
from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.http import UrlTemplate
from core.lists import Bounded
from discussions.models import SubjectKind
from discussions.selectors import open_question_count, open_question_counts
from discussions.subjects import Subject
from projects import permissions
from projects.models import Membership, SignoffRole
from projects.permissions import ProjectAccess
from projects.selectors import memberships_of_project
from reviews.models import SIGNOFF_STATUSES, ItemEvidence, Review, ReviewItem, SignOff
from reviews.scoring import signoff_state


@dataclass(slots=True)
class SignOffRow:
    """A sign-off as list pages read it: the SignOff fields, without a model instance per row.

    The review page shows hundreds of sign-offs; building them from value tuples
    halves the time spent loading them. Writes and the item page use the model.
    """

    id: int
    item_id: int
    signer_id: int
    as_role: str
    decision: str
    comment: str
    created_at: datetime.datetime
    item_version: int
    superseded_at: datetime.datetime | None
    signer: object = None


SIGNOFF_ROW_FIELDS = [f.name for f in fields(SignOffRow) if f.name != "signer"]


def signoff_rows(queryset):
    """Sign-offs of ``queryset`` as SignOffRow lists by item id, in creation order."""
    rows = {}
    for values in queryset.order_by("created_at", "pk").values_list(*SIGNOFF_ROW_FIELDS):
        row = SignOffRow(*values)
        rows.setdefault(row.item_id, []).append(row)
    return rows


def review_items(review, *, sections=None, users=None):
    """All items of a review with owner, section and sign-offs, in checklist order.

    Two queries when the caller passes the review's ``sections`` and the project's
    ``users`` (by id); one more for each it does not pass. ``risk_count`` counts the
    findings raised from each item (the findings' own app shows them), ``open_question_count``
    its unresolved question threads.
    """
    items = _item_rows(review.pk)
    if sections is None:
        sections = list(review.sections.all())
    rows = signoff_rows(SignOff.objects.filter(item__review=review))
    for item in items:
        item.signoff_list = rows.get(item.pk, [])
    _attach_users(items, users or {})
    section_by_id = {section.pk: section for section in sections}
    for item in items:
        item.review = review
        item.section = section_by_id[item.section_id]
        item.signoff = signoff_state(item, item.signoff_list)
    return items


# A review id no review has: the stand-in the rows' SQL is compiled with (_item_rows).
_REVIEW_STAND_IN = 9_087_654_321_012
_compiled_item_rows = {}


def _item_rows_query(review_id, today):
    return (
        ReviewItem.objects.filter(review=review_id)
        .annotate(
            risk_count=Count("risks", distinct=True),
            has_expired_evidence=Exists(expired_evidence_of(OuterRef("pk"), today=today)),
            open_question_count=open_question_count(SubjectKind.ITEM, OuterRef("pk")),
        )
        .order_by("section__order", "order", "key")
    )


def _item_rows(review_id):
    """The items of a review with their three counts (``_item_rows_query``), in checklist
    order. Compiling that SQL (two subqueries and a grouped join) costs several times what
    running it does, and the review page runs it on every view: it is compiled once per
    database and day (the expiry date is a parameter) with a stand-in review id, and run
    again with the review's id in its place."""
    today = timezone.localdate()
    database = ReviewItem.objects.db
    compiled = _compiled_item_rows.get((database, today))
    if compiled is None:
        query = _item_rows_query(_REVIEW_STAND_IN, today).query
        compiled = query.get_compiler(database).as_sql()
        _compiled_item_rows.clear()  # yesterday's
        _compiled_item_rows[database, today] = compiled
    sql, params = compiled
    params = [review_id if param == _REVIEW_STAND_IN else param for param in params]
    items = list(ReviewItem.objects.raw(sql, params))
    for item in items:  # SQLite answers 0/1 for EXISTS, and raw() converts model fields only
        item.has_expired_evidence = bool(item.has_expired_evidence)
    return items


def expired_evidence_of(item, *, today=None):
    """Evidence of ``item`` (an id or OuterRef) still shown and past its "valid until" day."""
    return ItemEvidence.objects.filter(
        item=item, removed_at__isnull=True, valid_until__lt=today or timezone.localdate()
    )


def _attach_users(items, users):
    """Set owners and signers from ``users`` (id -> User); load the others in one query."""
    wanted = {item.owner_id for item in items if item.owner_id}
    wanted |= {record.signer_id for item in items for record in item.signoff_list}
    missing = wanted - set(users)
    if missing:
        users = {**users, **User.objects.in_bulk(missing)}
    for item in items:
        item.owner = users.get(item.owner_id) if item.owner_id else None
        for record in item.signoff_list:
            record.signer = users[record.signer_id]


class ItemLinks:
    """The links of an item row, reversed once per review and filled in per row."""

    def __init__(self, review):
        args = (review.project_id, review.pk)
        self.detail = UrlTemplate("reviews:item_detail", *args)
        self.row = UrlTemplate("reviews:item_row", *args)
        self.edit = UrlTemplate("reviews:item_edit", *args)
        self.sign_off = UrlTemplate("reviews:item_sign_off", *args)
        self.confirm = UrlTemplate("reviews:item_confirm", *args)
        self.quick_add = UrlTemplate("risks:quick_add", review.project_id)


def decorate_items(access, items):
    """Per-row links and what the viewer may do, computed once here instead of in the template."""
    links = {}
    may_raise_risk = permissions.can_raise_risk(access)
    for item in items:
        if item.review_id not in links:
            links[item.review_id] = ItemLinks(item.review)
        link = links[item.review_id]
        item.url = link.detail.fill(item.pk)
        item.row_url = link.row.fill(item.pk)
        item.edit_url = link.edit.fill(item.pk)
        item.sign_off_url = link.sign_off.fill(item.pk)
        item.confirm_url = link.confirm.fill(item.pk)
        item.quick_add_url = link.quick_add.fill(item.pk)
        item.may_raise_risk = may_raise_risk
        item.may_edit = permissions.can_edit_item(access, item)
        item.may_sign = permissions.can_sign_off(access, item)
        item.my_signoff = next(
            (s for s in item.signoff.current if s.signer_id == access.user.pk), None
        )
    return items


def _holders(memberships):
    """Sign-off role -> the members who may sign as it ("" -> the approvers)."""
    holders = {}
    for membership in memberships:
        access = ProjectAccess.of(membership, project=None)
        roles = set(permissions.signoff_roles_held(access))
        if permissions.signs_unnamed_items(access):
            roles.add("")
        for role in sorted(roles):
            holders.setdefault(role, []).append(membership.user)
    return holders


def annotate_awaited(items, memberships):
    """``awaited`` on each item: the sign-off roles still missing, with who could fill them
    (``people`` is empty when nobody in the project holds the role: ``unheld``)."""
    holders = _holders(memberships)
    labels = dict(SignoffRole.choices)
    for item in items:
        item.awaited = [
            {
                "role": role,
                "label": labels.get(role, "Any approver"),
                "people": holders.get(role, []),
                "unheld": not holders.get(role),
            }
            for role in item.signoff.awaited_roles
        ]


def is_awaiting(access, item):
    """Whether the viewer could fill one of the item's awaited sign-off slots and has not signed."""
    if not item.is_up_for_signoff or not item.signoff.awaited_roles:
        return False
    if any(s.signer_id == access.user.pk for s in item.signoff.current):
        return False
    return bool(permissions.eligible_signoff_roles(access, item) & set(item.signoff.awaited_roles))


def item_get(access, review_pk, item_pk):
    """An item of a review of the viewer's project (else 404), with its review and project
    and its count of open questions."""
    return get_object_or_404(
        ReviewItem.objects.select_related(
            "review__project", "review__facilitator", "section", "owner", "updated_by"
        ).annotate(open_question_count=open_question_count(SubjectKind.ITEM, OuterRef("pk"))),
        review__project=access.project,
        review_id=review_pk,
        pk=item_pk,
    )


def project_item_get(access, item_pk):
    """An item of any review of the viewer's project (else 404), with its review and section."""
    return get_object_or_404(
        ReviewItem.objects.select_related("review__project", "section"),
        review__project=access.project,
        pk=item_pk,
    )


def item_detail(access, item):
    """An item with its history, evidence and sign-offs, decorated for the viewer."""
    item.signoff_list = list(item.signoffs.select_related("signer").order_by("created_at", "pk"))
    item.signoff = signoff_state(item, item.signoff_list)
    history = list(item.changes.select_related("user").order_by("-version", "-pk"))
    evidence = list(
        ItemEvidence.objects.filter(item=item, removed_at__isnull=True).select_related("added_by")
    )
    item.has_expired_evidence = any(record.is_expired for record in evidence)
    if not hasattr(item, "open_question_count"):  # fetched without the annotation
        item.open_question_count = open_question_counts(SubjectKind.ITEM, [item.pk]).get(item.pk, 0)
    memberships = list(memberships_of_project(access.project, order=("user__full_name",)))
    annotate_awaited([item], memberships)
    decorate_items(access, [item])
    return {"history": history, "evidence": evidence, "members": [m.user for m in memberships]}


def evidence_get(access, evidence_pk):
    """Evidence (not removed) of an item in the viewer's project, else 404."""
    return get_object_or_404(
        ItemEvidence.objects.select_related("item__review__project", "added_by"),
        item__review__project=access.project,
        pk=evidence_pk,
        removed_at__isnull=True,
    )


# Home looks at this many of the items that may wait on the viewer (the first, in the list's
# order) and counts up to ``cap`` of those that do; the full list is the paged "awaiting
# my sign-off" page.
AWAITING_SCAN = 300


def _signing_memberships(user):
    """The user's memberships in the projects where they sign (no join for the default
    ordering)."""
    return Membership.objects.filter(user=user, role__in=list(permissions.SIGNERS)).order_by()


def _signing_accesses(user):
    """The user's access to each project where they sign, by project id, from one light
    query (no project rows: ``project`` is None). Projects where the user holds the same
    role and stakeholder roles share one ProjectAccess."""
    shared, accesses = {}, {}
    for project_id, role, roles in _signing_memberships(user).values_list(
        "project_id", "role", "signoff_roles"
    ):
        key = (role, frozenset(roles or ()))
        if key not in shared:
            shared[key] = ProjectAccess(
                user=user, project=None, role=role, stakeholder_roles=key[1]
            )
        accesses[project_id] = shared[key]
    return accesses


def _may_sign_condition(user, accesses):
    """Items that name a sign-off role the user holds in their project, or name none where
    the user signs those (an approver): in SQL, what ``eligible_signoff_roles`` asks of each
    item, so that items nobody asks of this user never load. A role is matched in the JSON
    list's text with its quotes (portable: SQLite has no JSON containment). A role held in
    every project where the user signs (the usual case) names those projects by a subquery
    of the user's memberships rather than a list of ids (building a query with hundreds of
    parameters costs more than running it)."""
    signing = _signing_memberships(user).values("project_id")
    held = {}  # by id(): projects that share a key share the ProjectAccess (no hashing)
    projects_by_role = {}
    for project_id, access in accesses.items():
        if id(access) not in held:
            held[id(access)] = set(permissions.signoff_roles_held(access))
            if permissions.signs_unnamed_items(access):
                held[id(access)].add("")
        for role in held[id(access)]:
            projects_by_role.setdefault(role, []).append(project_id)
    condition = Q(pk__in=[])
    for role, project_ids in sorted(projects_by_role.items()):
        # Unnamed items by equality (the column is never NULL), which the (status,
        # signoff_roles) index answers without reading the done items that name a role.
        names = Q(signoff_roles=[]) if role == "" else Q(signoff_roles_text__contains=f'"{role}"')
        in_projects = signing if len(project_ids) == len(accesses) else project_ids
        condition |= Q(review__project_id__in=in_projects) & names
    return condition


def _awaiting(user, *, scan=None, stop_after=None):
    """The items waiting for the user's sign-off, in the list's order, and whether every
    candidate was looked at (False when ``scan`` cut the candidates short or ``stop_after``
    waiting items were found)."""
    accesses = _signing_accesses(user)
    if not accesses:
        return [], True
    # Leave out in SQL the items on which my standing record is an approval or rejection (a
    # signer has one standing record at most: a new one supersedes theirs). NOT EXISTS on
    # the (item, superseded_at) index: a third of the time of a subquery per item.
    standing = SignOff.objects.filter(
        item=OuterRef("pk"), signer=user, superseded_at__isnull=True
    ).exclude(decision=SignOff.Decision.REVOKE)
    candidates = (
        ReviewItem.objects.annotate(signoff_roles_text=Cast("signoff_roles", TextField()))
        .filter(_may_sign_condition(user, accesses), status__in=SIGNOFF_STATUSES)
        .exclude(review__status=Review.Status.COMPLETE)
        .exclude(Exists(standing))
        .select_related("review__project")
        .order_by("review__project__name", "review_id", "section__order", "order")
    )
    candidates = list(candidates if scan is None else candidates[: scan + 1])
    complete = scan is None or len(candidates) <= scan
    candidates = candidates[:scan]
    if not candidates:
        return [], complete
    rows = signoff_rows(SignOff.objects.filter(item__in=[item.pk for item in candidates]))
    labels = dict(SignoffRole.choices)
    detail = UrlTemplate("reviews:item_detail", free=3)
    sign_off = UrlTemplate("reviews:item_sign_off", free=3)
    waiting = []
    for item in candidates:
        item.signoff_list = rows.get(item.pk, [])
        item.signoff = signoff_state(item, item.signoff_list)
        access = accesses.get(item.review.project_id)  # None: joined since the first query
        if access is None or not is_awaiting(access, item):
            continue
        ids = (item.review.project_id, item.review_id, item.pk)
        item.url = detail.fill(*ids)
        item.sign_off_url = sign_off.fill(*ids)
        # Why it waits on me: the roles it still needs that I sign as.
        mine = permissions.eligible_signoff_roles(access, item) & set(item.signoff.awaited_roles)
        item.awaiting_as = sorted(labels.get(role, "approver") for role in mine)
        waiting.append(item)
        if stop_after is not None and len(waiting) >= stop_after:
            return waiting, False
    return waiting, complete


def items_awaiting_signoff(user):
    """Items across the user's projects that wait for this user's sign-off."""
    return _awaiting(user)[0]


def items_awaiting_signoff_first(user, limit, *, cap):
    """The first ``limit`` items waiting for the user's sign-off and how many wait (a
    core.lists.Bounded), for home: past ``cap`` of them, or past the first ``AWAITING_SCAN``
    items that might, the count reads "N+" and the link leads to the full list. The work
    stays the same however many projects the user signs in."""
    waiting, complete = _awaiting(user, scan=AWAITING_SCAN, stop_after=cap + 1)
    if complete:
        return Bounded(waiting[:limit], len(waiting))
    return Bounded(waiting[:limit], min(len(waiting), cap), capped=True)


def item_subject(access, item_pk, *, item=None):
    """A checklist item of the viewer's project as a question threads' subject (else 404)."""
    item = item or project_item_get(access, item_pk)
    return Subject(
        kind=SubjectKind.ITEM, pk=item.pk, project=access.project,
        label=item.title,
        url=item.get_absolute_url(), area_key=item.section.key, area_label=item.section.title,
        owner_id=item.owner_id,
    )  # fmt: skip
