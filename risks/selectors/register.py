"""The risk register: filters, sort, the "no mitigation plan" flag, the rows."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.http import UrlTemplate
from projects.models import Membership
from reviews.models import Review, ReviewSection
from risks.models import (
    ACTIVE_STATUSES,
    OPEN_ACTION_STATUSES,
    RATED_TYPES,
    MitigationAction,
    Risk,
    RiskStatus,
    severity_score_range,
)

# ?sort= values of the register and what they order by (a leading "-" reverses).
REGISTER_SORTS = {
    "ref": "pk",
    "title": "title",
    "type": "type",
    "category": "category",
    "area": "area__title",
    "status": "status_order",
    "score": "risk_score",
    "blocker": "is_blocker",
    "actions": "open_action_count",
    "updated": "updated_at",
}
DEFAULT_REGISTER_SORT = "-score"

_STATUS_ORDER = Case(
    *(When(status=value, then=Value(index)) for index, value in enumerate(RiskStatus.values)),
    output_field=IntegerField(),
)


# --- The register --------------------------------------------------------------


def owner_is_member(project_ref):
    """Whether an action's owner is (still) a member of the project: an EXISTS to annotate
    on actions, ``project_ref`` being a project id or an OuterRef to one."""
    return Exists(Membership.objects.filter(project_id=project_ref, user_id=OuterRef("owner_id")))


def _open_actions_of_risk():
    return MitigationAction.objects.filter(risk=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES)


def no_mitigation_plan_condition():
    """An active risk or issue with no open action, or with an open action that has no
    owner in the project (the owner left it) or no due date."""
    open_actions = _open_actions_of_risk()
    unplanned = open_actions.filter(
        Q(due_date__isnull=True) | ~Q(owner_is_member(OuterRef(OuterRef("project_id"))))
    )
    return Q(type__in=RATED_TYPES, status__in=ACTIVE_STATUSES) & (
        ~Q(Exists(open_actions)) | Q(Exists(unplanned))
    )


def with_plan_flags(queryset):
    """Annotate ``open_action_count`` and ``no_mitigation_plan`` on findings."""
    counts = _open_actions_of_risk().order_by().values("risk").annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        open_action_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0),
        no_mitigation_plan=Case(
            When(no_mitigation_plan_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def register_queryset(project, filters=None, *, cell=True):
    """The project's findings matching the register's filters (``cell=False`` ignores the
    likelihood x impact cell, for the heat map)."""
    filters = filters or {}
    queryset = Risk.objects.filter(project=project).annotate(
        risk_score=F("likelihood") * F("impact")
    )
    if filters.get("type"):
        queryset = queryset.filter(type=filters["type"])
    status = filters.get("status")
    if status == "active":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if filters.get("severity"):
        queryset = queryset.filter(risk_score__range=severity_score_range(filters["severity"]))
    if filters.get("blocker") in ("yes", "no"):
        queryset = queryset.filter(is_blocker=filters["blocker"] == "yes")
    if filters.get("owner"):
        queryset = queryset.filter(
            Exists(MitigationAction.objects.filter(risk=OuterRef("pk"), owner=filters["owner"]))
        )
    if filters.get("area"):
        queryset = queryset.filter(area__key=filters["area"])
    if filters.get("review"):
        queryset = queryset.filter(review=filters["review"])
    if filters.get("plan") == "missing":
        queryset = queryset.filter(no_mitigation_plan_condition())
    if filters.get("q"):
        queryset = queryset.filter(
            Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"])
        )
    if cell:
        if filters.get("likelihood"):
            queryset = queryset.filter(likelihood=filters["likelihood"])
        if filters.get("impact"):
            queryset = queryset.filter(impact=filters["impact"])
    return queryset


def register_order(sort):
    """(ordering, normalised sort key) for a ?sort= value; unknown values fall back."""
    key = (sort or DEFAULT_REGISTER_SORT).strip()
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in REGISTER_SORTS:
        return register_order(DEFAULT_REGISTER_SORT)
    expression = F(REGISTER_SORTS[name])
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [expression, F("pk").desc()], ("-" if descending else "") + name


# What the register page shows of a finding; the export reads every field.
REGISTER_PAGE_FIELDS = (
    "number", "title", "type", "category", "status", "likelihood", "impact", "is_blocker",
    "project_id",
    "area__title", "review_item__title",
)  # fmt: skip


def register_rows(project, filters=None, sort=None, *, export=False):
    """The register's rows: filtered, flagged (open action count, no mitigation plan) and
    sorted. Call ``attach_actions`` on the rows you show."""
    ordering, _ = register_order(sort)
    rows = (
        with_plan_flags(register_queryset(project, filters))
        .annotate(status_order=_STATUS_ORDER)
        .select_related("area", "review_item")
        .order_by(*ordering)
    )
    if export:
        return rows.select_related("raised_by", "accepted_by")
    return rows.only(*REGISTER_PAGE_FIELDS)


def register_page(project, filters, sort, page_number, per_page):
    """One page of the register, its rows flagged, with their open actions and links.

    The page's findings are chosen by the sort alone, and only they get the flags (two
    subqueries per row) in the same query: a project with thousands of findings costs the
    count and an index walk more than one with thirty, not the flags of every finding.
    """
    ordering, key = register_order(sort)
    chosen = register_queryset(project, filters).annotate(status_order=_STATUS_ORDER)
    if key.lstrip("-") == "actions":
        chosen = with_plan_flags(chosen)
    page = Paginator(chosen.order_by(*ordering).values("pk"), per_page).get_page(page_number)
    rows = register_rows(project, sort=sort).filter(pk__in=page.object_list)
    page.object_list = attach_actions(rows)
    detail = UrlTemplate("risks:risk_detail", project.pk)
    for risk in page.object_list:
        risk.url = detail.fill(risk.pk)
    return page


@dataclass(frozen=True)
class OpenAction:
    """What a register row shows of an open action (plain values: hundreds per page)."""

    owner: str
    due_date: object
    status: str

    @property
    def is_overdue(self):
        return self.due_date is not None and self.due_date < timezone.localdate()


def attach_actions(risks):
    """Give each row ``open_actions`` (by due date) and ``next_action``, in one query."""
    risks = list(risks)
    by_risk = {risk.pk: [] for risk in risks}
    rows = (
        MitigationAction.objects.filter(risk_id__in=by_risk, status__in=OPEN_ACTION_STATUSES)
        .order_by(F("due_date").asc(nulls_last=True), "pk")
        .values_list("risk_id", "owner__full_name", "owner__email", "due_date", "status")
    )
    for risk_id, full_name, email, due_date, status in rows:
        by_risk[risk_id].append(OpenAction(full_name or email, due_date, status))
    for risk in risks:
        risk.open_actions = by_risk[risk.pk]
        risk.next_action = risk.open_actions[0] if risk.open_actions else None
    return risks


def register_filter_choices(project):
    """Choices of the register's owner, area and review filters (three queries)."""
    owners = User.objects.filter(
        Q(pk__in=Membership.objects.filter(project=project).values("user_id"))
        | Q(pk__in=MitigationAction.objects.filter(project=project).values("owner_id"))
    ).order_by("full_name", "email")
    areas = {}
    for key, title in (
        ReviewSection.objects.filter(review__project=project)
        .order_by("order", "key", "-review_id")
        .values_list("key", "title")
    ):
        areas.setdefault(key, title)
    return {
        "owners": [(user.pk, str(user)) for user in owners.only("pk", "full_name", "email")],
        "areas": list(areas.items()),
        "reviews": list(Review.objects.filter(project=project).values_list("pk", "title")),
    }
