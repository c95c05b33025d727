"""One finding: its actions, its history; the findings of a review item."""

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404

from risks.models import ACTIVE_STATUSES, MitigationActionChange, Risk, RiskChange, RiskType

from .register import owner_is_member, with_plan_flags


def risk_get_for_project(project, pk):
    """A finding of a project the caller already fetched for the user (else 404)."""
    risk = get_object_or_404(
        Risk.objects.select_related(
            "raised_by", "accepted_by", "updated_by", "area", "review", "review_item__review"
        ),
        project=project,
        pk=pk,
    )
    risk.project = project
    return risk


def risk_actions(risk):
    """The finding's actions with owners, each knowing whether its owner is still a member."""
    actions = list(
        risk.actions.select_related("owner", "completed_by")
        .annotate(owner_is_member=owner_is_member(risk.project_id))
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    for action in actions:
        action.risk = risk
    return actions


def _history_entry(change, action=None):
    return {
        "at": change.created_at,
        "user": change.user,
        "note": change.note,
        "action": action,
        "changes": [
            (field.replace("_", " ").capitalize(), old, new)
            for field, (old, new) in change.changes.items()
        ],
    }


def risk_history(risk):
    """The finding's and its actions' history, newest first, as one list."""
    entries = [
        _history_entry(change)
        for change in RiskChange.objects.filter(risk=risk).select_related("user")
    ]
    entries += [
        _history_entry(change, change.action)
        for change in MitigationActionChange.objects.filter(action__risk=risk).select_related(
            "user", "action"
        )
    ]
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)


def item_risk_counts(items):
    """Set ``open_risk_count`` and ``open_blocker_risk_count`` on review items (one query),
    for the badges of a review's item rows."""
    items = list(items)
    counts = {
        row["review_item_id"]: row
        for row in Risk.objects.filter(review_item__in=items, status__in=ACTIVE_STATUSES)
        .exclude(type=RiskType.ASSERTION)
        .order_by()
        .values("review_item_id")
        .annotate(open=Count("pk"), blockers=Count("pk", filter=Q(is_blocker=True)))
    }
    for item in items:
        row = counts.get(item.pk, {})
        item.open_risk_count = row.get("open", 0)
        item.open_blocker_risk_count = row.get("blockers", 0)
    return items


def item_risks(item):
    """Findings raised from a review item, newest first."""
    return list(
        with_plan_flags(Risk.objects.filter(review_item=item)).order_by("-created_at", "-pk")
    )
