"""The go/no-go gate, the vote tally, and decisions to show."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from decisions.models import Decision, DecisionCondition, Vote
from projects.models import Role, VoteRule
from projects.selectors import members_in_roles
from reviews.selectors.items import review_items
from reviews.selectors.scores import review_score
from risks.selectors import open_blocker_risks, open_risks, overdue_actions


def gate(review):
    """Open blockers without an accepted workaround, mandatory items not done or not signed,
    overdue mitigation actions, and the readiness state (constant queries)."""
    sections = list(review.sections.order_by("order"))
    items = review_items(review, sections=sections)
    score = review_score(review, sections, items)
    blocker_items = [item for item in items if item.is_open_blocker]
    unsigned_mandatory = [
        item
        for item in items
        if item.mandatory
        and item.is_applicable
        and not (item.is_up_for_signoff and item.signoff.signed)
    ]
    project = review.project
    blocker_risks = open_blocker_risks(project)
    overdue = overdue_actions(project)
    return {
        "score": score,
        "blocker_items": blocker_items,
        "blocker_risks": blocker_risks,
        "unsigned_mandatory": unsigned_mandatory,
        "overdue_actions": overdue,
        "open_risks": open_risks(project),
        "blocker_count": len(blocker_items) + len(blocker_risks),
        "clear": not (blocker_items or blocker_risks or unsigned_mandatory or overdue),
    }


def current_votes(decision):
    """The latest vote of each voter (earlier rows are the history)."""
    latest = {}
    for vote in decision.votes.select_related("voter").order_by("created_at", "pk"):
        latest[vote.voter_id] = vote
    return list(latest.values())


def votes_needed(project, approver_count):
    if project.vote_rule == VoteRule.AT_LEAST:
        return (
            min(project.votes_required, approver_count)
            if approver_count
            else project.votes_required
        )
    return approver_count


def vote_tally(decision):
    """The approvers' current votes on an open decision, against the project's vote rule."""
    project = decision.review.project
    approvers = members_in_roles(project, [Role.APPROVER])
    approver_ids = {user.pk for user in approvers}
    counted = [vote for vote in current_votes(decision) if vote.voter_id in approver_ids]
    voted = {vote.voter_id for vote in counted}
    needed = votes_needed(project, len(approvers))
    return {
        "approvers": approvers,
        "votes": counted,
        "needed": needed,
        "cast": len(counted),
        "enough": len(counted) >= needed,
        "waiting_for": [user for user in approvers if user.pk not in voted],
        "go": sum(1 for v in counted if v.choice == Vote.Choice.GO),
        "no_go": sum(1 for v in counted if v.choice == Vote.Choice.NO_GO),
        "abstain": sum(1 for v in counted if v.choice == Vote.Choice.ABSTAIN),
    }


def open_decision(review):
    return (
        Decision.objects.filter(review=review, status=Decision.Status.OPEN)
        .select_related("opened_by", "review__project")
        .first()
    )


def recorded_decisions_of_review(review):
    return list(
        Decision.objects.filter(review=review, status=Decision.Status.RECORDED).order_by(
            "-recorded_at"
        )
    )


def latest_decision(review):
    """The review's latest decision (recorded, or open for votes), with votes and conditions."""
    decision = (
        Decision.objects.filter(review=review)
        .select_related("recorded_by", "opened_by")
        .order_by("-created_at", "-pk")
        .first()
    )
    if decision is None:
        return None
    decision.current_votes = current_votes(decision)
    decision.condition_list = list(decision.conditions.select_related("owner", "met_by"))
    return decision


def decision_get(access, decision_pk):
    """A recorded decision of the viewer's project (else 404)."""
    return get_object_or_404(
        Decision.objects.select_related("review__project", "recorded_by"),
        review__project=access.project,
        pk=decision_pk,
        status=Decision.Status.RECORDED,
    )


def condition_get(access, condition_pk):
    """A condition of a decision of the viewer's project (else 404)."""
    return get_object_or_404(
        DecisionCondition.objects.select_related("decision__review__project"),
        decision__review__project=access.project,
        pk=condition_pk,
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
