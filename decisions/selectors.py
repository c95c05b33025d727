"""The go/no-go gate, the vote tally, and decisions to show."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.http import UrlTemplate
from core.lists import Bounded, bounded, bounded_list
from cutover.summary import cutover_criteria
from decisions import criteria as gate_criteria
from decisions.models import Decision, DecisionCondition, Vote
from projects.models import Role, VoteRule
from projects.selectors import members_in_roles, memberships_of_project
from reviews.models import SETTLED_STATUSES, ItemSeverity, ItemStatus
from reviews.selectors.items import expired_evidence_of
from reviews.selectors.scores import scores_for_reviews
from risks.selectors import go_live_blockers, open_blocker_risks_query, overdue_actions_query
from support.summary import support_criteria

# How many of each list the gate page shows; the counts are always whole.
GATE_LIST_LENGTH = 15
GATE_RISK_FIELDS = ("project_id", "number", "title", "workaround", "status")
GATE_ACTION_FIELDS = (
    "description", "due_date", "status", "risk__project_id", "risk__number",
    "owner__full_name", "owner__email",
)  # fmt: skip


def gate(review, *, limit=GATE_LIST_LENGTH):
    """What stands between a review and a go, in a fixed number of queries whatever its size.

    The go-live blockers (items the team flagged and blocker findings still open), mandatory
    items not done and signed, items a stakeholder rejected, overdue mitigation actions; and,
    apart, the items of blocker severity not done yet; and, for a project with a cutover plan,
    whether it is signed off and its last rehearsal fits the window with the buffer. The
    score comes from the score cache, and with it which items each list holds
    (``gate_item_lists``). ``criteria`` are the project's go / no-go criteria
    evaluated against all this (``decisions.criteria``); the gate is clear when each is met.
    """
    project = review.project
    score = scores_for_reviews([review])[review.pk]
    item_lists = gate_item_lists(review, score, limit)
    # Only the columns the gate shows and the decision's snapshot keeps: a finding's or an
    # action's whole row (and its owner's) costs twice as much to read.
    blocker_risks = bounded(
        open_blocker_risks_query(project).select_related(None).only(*GATE_RISK_FIELDS), limit
    )
    overdue = bounded(overdue_actions_query(project).only(*GATE_ACTION_FIELDS), limit)
    risk_link = UrlTemplate("risks:risk_detail", project.pk)
    for risk in blocker_risks.rows:
        risk.url = risk_link.fill(risk.pk)
    for action in overdue.rows:
        action.risk_url = risk_link.fill(action.risk_id)
    blockers = go_live_blockers(score, findings=blocker_risks.count)
    facts = {
        "project": project,
        "review": review,
        "score": score,
        "go_live_blockers": blockers,
        "blocker_risks": blocker_risks,
        "overdue_actions": overdue,
        **item_lists,
        "cutover": cutover_criteria(project),
        "support": support_criteria(project),
    }
    criteria = gate_criteria.evaluate(facts)
    # Clear when every criterion the team keeps on is met (by default the built-ins: no
    # go-live blocker, mandatory items signed, no rejection, no overdue action, cutover).
    return {**facts, "criteria": criteria, "clear": criteria.met}


def expired_evidence_query(review):
    """Items whose evidence (still shown) passed its "valid until" day: the proof is stale."""
    return review.items.filter(Exists(expired_evidence_of(OuterRef("pk"))))


# The gate's lists of items, by the score figure that counts them.
GATE_ITEM_LISTS = {
    "blocker_items": "open_blockers",
    "blocking_not_done": "blocking_not_done",
    "rejected_items": "rejected",
    "unsigned_mandatory": "unsigned_mandatory",
}


def gate_item_lists(review, score, limit):
    """The gate's lists of items, each as Bounded, in one query of the rows it shows.

    Which items each list holds (and so its count) comes from the cached score
    (``ReviewScore.item_ids``), so no list loads every item or its sign-offs; the query
    reads the first ``limit`` of each and the items whose evidence expired (not part of
    the score: it depends on the day), which it counts. Each row has its ``url``.
    """
    ids = {name: score.item_ids.get(figure, []) for name, figure in GATE_ITEM_LISTS.items()}
    shown = {pk for listed in ids.values() for pk in listed[:limit]}
    expired = Exists(expired_evidence_of(OuterRef("pk")))
    rows = list(
        review.items.filter(Q(pk__in=shown) | expired)
        .annotate(evidence_expired=expired)
        .only("review_id", "key", "title", "status")
        .order_by("section__order", "order", "key")
    )
    link = UrlTemplate("reviews:item_detail", review.project_id, review.pk)
    for item in rows:
        item.url = link.fill(item.pk)
    by_id = {item.pk: item for item in rows}
    lists = {
        # An item deleted since the score was read is left out of the rows, not of the count.
        name: Bounded([by_id[pk] for pk in listed[:limit] if pk in by_id], len(listed))
        for name, listed in ids.items()
    }
    lists["expired_evidence"] = bounded_list(
        [item for item in rows if item.evidence_expired], limit
    )
    return lists


def current_votes(decision):
    """Each voter's current vote (a changed vote supersedes the earlier one)."""
    return list(
        decision.votes.filter(superseded_at__isnull=True)
        .select_related("voter")
        .order_by("created_at", "pk")
    )


def go_votes_needed(project, approver_count):
    """How many approvers must vote go: all of them, or N (never fewer than one)."""
    if project.vote_rule == VoteRule.AT_LEAST:
        needed = min(project.votes_required, approver_count) if approver_count else 1
    else:
        needed = approver_count
    return max(needed, 1)


def vote_tally(decision, *, approvers=None):
    """The approvers' current votes on a decision, against the project's rule, which counts
    **go** votes: votes cast but split do not meet it. ``approvers``: the project's active
    approvers when the caller has loaded them."""
    project = decision.review.project
    if approvers is None:
        approvers = members_in_roles(project, [Role.APPROVER])
    approver_ids = {user.pk for user in approvers}
    counted = [vote for vote in current_votes(decision) if vote.voter_id in approver_ids]
    voted = {vote.voter_id for vote in counted}
    needed = go_votes_needed(project, len(approvers))
    go = sum(1 for v in counted if v.choice == Vote.Choice.GO)
    return {
        "approvers": approvers,
        "votes": counted,
        "needed": needed,
        "cast": len(counted),
        "met": go >= needed,
        "waiting_for": [user for user in approvers if user.pk not in voted],
        "go": go,
        "no_go": sum(1 for v in counted if v.choice == Vote.Choice.NO_GO),
        "abstain": sum(1 for v in counted if v.choice == Vote.Choice.ABSTAIN),
    }


def vote_split(tally):
    """ "1 go of 2 needed (1 no-go, 0 abstain)": how the votes stood."""
    return (
        f"{tally['go']} go of {tally['needed']} needed "
        f"({tally['no_go']} no-go, {tally['abstain']} abstain)"
    )


def overrides(gate_state, tally):
    """What a go or conditional go recorded now would override, one sentence each."""
    overridden = []
    if not gate_state["clear"]:
        # Each unmet criterion by name, in the criteria's order.
        parts = gate_state["criteria"].phrases()
        state = gate_state["score"].state_label.lower()
        overridden.append(f"a {state} gate: {', '.join(parts)}")
    if not tally["met"]:
        overridden.append(f"votes that do not meet the rule: {vote_split(tally)}")
    return overridden


def decision_members(project):
    """The project's active members by name (the conditions' owner choices) and, among them,
    its approvers (the vote tally's): one query for both."""
    memberships = [
        membership
        for membership in memberships_of_project(project, order=("user__full_name", "user__email"))
        if membership.user.is_active
    ]
    members = [membership.user for membership in memberships]
    approvers = [membership.user for membership in memberships if membership.role == Role.APPROVER]
    return members, approvers


def open_decision(review):
    """The review's decision open for votes, or None; it shares ``review`` (and its project)."""
    decision = (
        Decision.objects.filter(review=review, status=Decision.Status.OPEN)
        .select_related("opened_by")
        .first()
    )
    if decision is not None:
        decision.review = review
    return decision


def decisions_of_review(review):
    """The review's decision open for votes (or None) and its recorded decisions, newest
    first, in one query: the recorded ones for a list of links, without their snapshots
    (some 10 KB each). Each shares ``review`` (and its project): their links cost no query."""
    rows = list(
        Decision.objects.filter(
            review=review, status__in=[Decision.Status.OPEN, Decision.Status.RECORDED]
        )
        .select_related("opened_by")
        .defer("snapshot")
        .order_by("-recorded_at", "-pk")
    )
    for decision in rows:
        decision.review = review
    opened = next((d for d in rows if d.status == Decision.Status.OPEN), None)
    return opened, [d for d in rows if d.status == Decision.Status.RECORDED]


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


def decisions_of_project_query(project, *, votes=True, conditions=True):
    """Recorded decisions of a project, newest first, with ``condition_count``, conditions
    and votes (a queryset: 3 queries for any slice of it; 2 with ``votes=False``, 1 with
    ``conditions=False`` too, for lists that show only the number of conditions: the same
    number whether or not any decision is recorded yet). The frozen snapshot (some 10 KB
    each) stays in the database: the lists show only its score, read out in SQL."""
    prefetches = []
    if conditions:
        prefetches.append(
            Prefetch("conditions", queryset=DecisionCondition.objects.select_related("owner"))
        )
    if votes:
        prefetches.append(Prefetch("votes", queryset=Vote.objects.select_related("voter")))
    condition_count = (
        DecisionCondition.objects.filter(decision=OuterRef("pk"))
        .order_by()
        .values("decision")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Decision.objects.filter(review__project=project, status=Decision.Status.RECORDED)
        .defer("snapshot")
        .annotate(
            score_state=KT("snapshot__score__state"),
            score_state_label=KT("snapshot__score__state_label"),
            score_percent=KT("snapshot__score__percent"),
            condition_count=Coalesce(Subquery(condition_count), 0),
        )
        .select_related("review", "recorded_by")
        .prefetch_related(*prefetches)
        .order_by("-recorded_at", "-pk")
    )


def latest_decisions_of_reviews(reviews):
    """The latest recorded decision of each of ``reviews``, by review id (one query)."""
    by_id = {review.pk: review for review in reviews}
    latest = {}
    for decision in (
        Decision.objects.filter(review__in=list(by_id), status=Decision.Status.RECORDED)
        .defer("snapshot")  # some 10 KB each; the list shows the outcome and a link
        .order_by("recorded_at", "pk")  # oldest first, so the newest wins
    ):
        decision.review = by_id[decision.review_id]  # its link needs the review's project
        latest[decision.review_id] = decision
    return latest


def summary_facts(
    review, *, score, items, blocker_risk_count, overdue_action_count, cutover, support
):
    """The gate's facts from what a summary already loaded (``items`` with their
    ``signoff``), so its criteria cost the criteria's own queries only."""
    unsigned = [
        item
        for item in items
        if item.mandatory
        and item.status != ItemStatus.NOT_APPLICABLE
        and not (item.is_up_for_signoff and item.signoff.signed)
    ]
    blocking = [
        item
        for item in items
        if item.severity == ItemSeverity.BLOCKER and item.status not in SETTLED_STATUSES
    ]
    return {
        "project": review.project,
        "review": review,
        "score": score,
        "go_live_blockers": go_live_blockers(score, findings=blocker_risk_count),
        "blocker_risks": Bounded([], blocker_risk_count),
        "blocking_not_done": bounded_list(blocking, 0),
        "rejected_items": bounded_list([i for i in items if i.signoff.rejections], 0),
        "unsigned_mandatory": bounded_list(unsigned, 0),
        "overdue_actions": Bounded([], overdue_action_count),
        "expired_evidence": Bounded([], expired_evidence_query(review).count()),
        "cutover": cutover,
        "support": support,
    }


def criteria_for_summary(review, decision, facts):
    """The go / no-go criteria a summary lists: as frozen in a recorded decision's snapshot,
    else evaluated now against ``facts`` (``summary_facts``)."""
    frozen = ((decision.snapshot or {}).get("gate") or {}) if decision is not None else {}
    if decision is not None and decision.is_recorded and "criteria" in frozen:
        return {
            "frozen": True,
            "rows": frozen["criteria"],
            "switched_off": frozen.get("criteria_switched_off", []),
        }
    criteria = gate_criteria.evaluate(facts)
    return {"frozen": False, "rows": criteria.as_list(), "switched_off": criteria.switched_off}
