"""One finding: its actions, its history; the findings of a review item."""

from django.db.models import F
from django.shortcuts import get_object_or_404

from risks.models import MitigationActionChange, Risk, RiskChange

from .register import owner_is_member, with_plan_flags


def risk_get(access, pk):
    """A finding of the viewer's project (else 404)."""
    return get_object_or_404(
        Risk.objects.select_related(
            "project", "raised_by", "accepted_by", "updated_by", "area", "review",
            "review_item__review",
        ),
        project=access.project,
        pk=pk,
    )  # fmt: skip


def risk_actions(risk):
    """The finding's actions with owners, each knowing whether its owner is still a member."""
    # Fetched through risk.actions, each action knows its finding without a query.
    return list(
        risk.actions.select_related("owner", "completed_by")
        .annotate(owner_is_member=owner_is_member(risk.project_id))
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


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


def item_risks(item):
    """Findings raised from a review item, newest first."""
    return list(
        with_plan_flags(Risk.objects.filter(review_item=item)).order_by("-created_at", "-pk")
    )


def finding_subject(access, risk_pk, *, risk=None):
    """A finding of the viewer's project as a question threads' subject (else 404)."""
    from discussions.models import SubjectKind
    from discussions.subjects import Subject

    risk = risk or risk_get(access, risk_pk)
    return Subject(
        kind=SubjectKind.FINDING, pk=risk.pk, project=access.project,
        label=f"{risk.reference} {risk.title}", url=risk.get_absolute_url(),
        area_key=risk.area.key if risk.area else "",
        area_label=risk.area.title if risk.area else "", owner_id=risk.raised_by_id,
    )  # fmt: skip
