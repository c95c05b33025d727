"""What is still outstanding in a project's findings and actions.

The go / no-go gate, the summary PDF and the other apps' pages read the risks app
through these (never its models), each in one query.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from risks.models import (
    ACTIVE_STATUSES,
    OPEN_ACTION_STATUSES,
    RATED_TYPES,
    MitigationAction,
    Risk,
    RiskType,
    SeverityBand,
    severity_score_range,
)

from .heatmap import heatmap


def open_blocker_risks_query(project):
    """Go-live blockers still open or being mitigated, newest first, with the item they came
    from and who raised them (a queryset, for pages that show the first few)."""
    return (
        Risk.objects.filter(project=project, is_blocker=True, status__in=ACTIVE_STATUSES)
        .select_related("review_item", "raised_by")
        .order_by("-created_at", "-pk")
    )


def open_blocker_risks(project):
    return list(open_blocker_risks_query(project))


def open_risks(project):
    """Risks and issues still open or being mitigated, newest first."""
    return list(
        Risk.objects.filter(project=project, status__in=ACTIVE_STATUSES)
        .exclude(type=RiskType.ASSERTION)
        .order_by("-created_at")
    )


def open_risks_by_score(project):
    """Open rated findings, highest likelihood x impact first, with their item and area."""
    risks = Risk.objects.filter(
        project=project, status__in=ACTIVE_STATUSES, type__in=RATED_TYPES
    ).select_related("review_item", "area")
    return sorted(risks, key=lambda risk: (-(risk.score or 0), risk.pk))


def open_risks_heatmap(project, **options):
    """The heat map of the project's open findings."""
    return heatmap(Risk.objects.filter(project=project, status__in=ACTIVE_STATUSES), **options)


def overdue_actions_query(project, *, today=None):
    """Open mitigation actions past their due date, the most overdue first (a queryset)."""
    return (
        MitigationAction.objects.filter(
            project=project,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=today or timezone.localdate(),
        )
        .select_related("owner", "risk")
        .order_by("due_date", "pk")
    )


def overdue_actions(project, *, today=None):
    return list(overdue_actions_query(project, today=today))


@dataclass
class OwnerGroup:
    """One owner's open actions, each marked ``overdue``."""

    owner: object
    actions: list = field(default_factory=list)

    @property
    def overdue_count(self):
        return sum(1 for action in self.actions if action.overdue)


def open_actions_by_owner(project, *, today=None):
    """Open mitigation actions grouped by owner (by name), each by due date."""
    today = today or timezone.localdate()
    groups = {}
    actions = (
        MitigationAction.objects.filter(project=project, status__in=OPEN_ACTION_STATUSES)
        .select_related("owner", "risk")
        .order_by("owner__full_name", "owner_id", "due_date", "pk")
    )
    for action in actions:
        action.overdue = action.due_date is not None and action.due_date < today
        groups.setdefault(action.owner_id, OwnerGroup(action.owner)).actions.append(action)
    return list(groups.values())


@dataclass(frozen=True)
class GoLiveBlockers:
    """What stands in the way of go-live, as every page names it.

    A go-live blocker is a checklist item the team flagged as one (not yet settled), or a
    finding flagged as a blocker that is still open: one accepted with its workaround no
    longer blocks. Items of blocker *severity* that are not done yet are counted apart
    (``Figures.blocking_not_done``): they matter, but they are not go-live blockers.
    """

    items: int
    findings: int

    @property
    def total(self):
        return self.items + self.findings


def go_live_blockers(score, *, findings):
    """The go-live blockers of a review: its score's flagged items and ``findings``, the
    number of the project's open blocker findings (``open_blocker_count``)."""
    return GoLiveBlockers(items=score.overall.open_blockers, findings=findings)


def open_blocker_count(project):
    """The project's findings flagged as blockers and still open (one query)."""
    return Risk.objects.filter(project=project, is_blocker=True, status__in=ACTIVE_STATUSES).count()


def open_risk_counts(project):
    """How many risks and issues are open, and how many of them are high or critical (one
    query): the counts the go / no-go criteria compare with their thresholds."""
    high_from, _ = severity_score_range(SeverityBand.HIGH)
    return (
        Risk.objects.filter(project=project, status__in=ACTIVE_STATUSES)
        .exclude(type=RiskType.ASSERTION)
        .annotate(rating=F("likelihood") * F("impact"))
        .aggregate(
            open_risks=Count("pk"),
            open_high_risks=Count("pk", filter=Q(rating__gte=high_from)),
        )
    )


def open_action_count(project):
    """The project's mitigation actions still open (one query)."""
    return MitigationAction.objects.filter(project=project, status__in=OPEN_ACTION_STATUSES).count()
