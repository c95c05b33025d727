"""The go/no-go gate: what stands in the way of a review's decision; and decisions to show."""

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Membership, Role
from reviews.models import Decision, DecisionCondition, Vote
from reviews.selectors.reviews import review_items, review_score


def gate(review):
    """Open blockers without an accepted workaround, mandatory items not done or not signed,
    overdue mitigation actions, and the readiness state (constant queries)."""
    from risks.models import ACTIVE_STATUSES, OPEN_ACTION_STATUSES, MitigationAction, Risk

    sections = list(review.sections.order_by("order"))
    items = review_items(review, sections=sections)
    score = review_score(review, sections, items)
    blocker_items = [item for item in items if item.is_open_blocker]
    unsigned_mandatory = [
        item
        for item in items
        if item.mandatory
        and item.is_applicable
        and not (item.status in {"done", "accepted_risk"} and item.signoff.signed)
    ]
    project = review.project
    blocker_risks = list(
        Risk.objects.filter(project=project, is_blocker=True, status__in=ACTIVE_STATUSES)
        .select_related("review_item")
        .order_by("-created_at")
    )
    open_risks = list(
        Risk.objects.filter(project=project, status__in=ACTIVE_STATUSES)
        .exclude(type="assertion")
        .order_by("-created_at")
    )
    overdue_actions = list(
        MitigationAction.objects.filter(
            risk__project=project,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=timezone.localdate(),
        )
        .select_related("owner", "risk")
        .order_by("due_date")
    )
    return {
        "score": score,
        "blocker_items": blocker_items,
        "blocker_risks": blocker_risks,
        "unsigned_mandatory": unsigned_mandatory,
        "overdue_actions": overdue_actions,
        "open_risks": open_risks,
        "blocker_count": len(blocker_items) + len(blocker_risks),
        "clear": not (blocker_items or blocker_risks or unsigned_mandatory or overdue_actions),
    }


def current_votes(decision):
    """The latest vote of each voter (earlier rows are the history)."""
    latest = {}
    for vote in decision.votes.select_related("voter").order_by("created_at", "pk"):
        latest[vote.voter_id] = vote
    return list(latest.values())


def approvers_of(project):
    return [
        membership.user
        for membership in Membership.objects.filter(project=project, role=Role.APPROVER)
        .select_related("user")
        .order_by("user__full_name")
    ]


def votes_needed(project, approver_count):
    if project.vote_rule == "at_least":
        return (
            min(project.votes_required, approver_count)
            if approver_count
            else project.votes_required
        )
    return approver_count


def open_decision(review):
    return (
        Decision.objects.filter(review=review, status=Decision.Status.OPEN)
        .select_related("opened_by")
        .first()
    )


def decisions_of_project(project):
    """Recorded decisions of a project, newest first, with conditions and votes (3 queries)."""
    return list(
        Decision.objects.filter(review__project=project, status=Decision.Status.RECORDED)
        .select_related("review", "recorded_by")
        .prefetch_related(
            Prefetch("conditions", queryset=DecisionCondition.objects.select_related("owner")),
            Prefetch("votes", queryset=Vote.objects.select_related("voter")),
        )
        .order_by("-recorded_at")
    )
