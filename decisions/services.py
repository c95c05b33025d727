"""The go / no-go decision: votes, recording with a frozen snapshot, conditions, reverting."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from decisions.models import Decision, DecisionCondition, Outcome, Vote
from decisions.selectors import gate, vote_tally
from projects import permissions
from projects.selectors import member_ids, project_access


@transaction.atomic
def decision_open(*, review, acting_user):
    """Open the review's decision for votes (once; an open decision is returned as it is)."""
    if not permissions.can_record_decision(
        project_access(user=acting_user, project=review.project)
    ):
        raise PermissionDenied("Only the facilitator or the project manager opens the vote.")
    existing = (
        Decision.objects.select_for_update()
        .filter(review=review, status=Decision.Status.OPEN)
        .first()
    )
    return existing or Decision.objects.create(review=review, opened_by=acting_user)


@transaction.atomic
def vote_cast(*, decision, acting_user, choice, comment=""):
    """Record an approver's vote; a later vote replaces the earlier one until the decision is recorded."""
    decision = (
        Decision.objects.select_for_update().select_related("review__project").get(pk=decision.pk)
    )
    if decision.status != Decision.Status.OPEN:
        raise ValidationError("The decision is recorded; votes can no longer change.")
    if not permissions.can_vote(project_access(user=acting_user, project=decision.review.project)):
        raise PermissionDenied("Only approvers of the project vote.")
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Vote go, no-go or abstain."})
    return Vote.objects.create(
        decision=decision, voter=acting_user, choice=choice, comment=comment.strip()
    )


def _snapshot(review, decision, tally):
    """What the decision was based on, as plain data that never changes afterwards."""
    state = gate(review)
    return {
        "taken_at": timezone.now().isoformat(),
        "review": {"id": review.pk, "title": review.title, "status": review.status},
        "project": {"go_live_date": str(review.project.go_live_date or "")},
        "score": state["score"].as_dict(),
        "blocker_items": [
            {"key": i.key, "title": i.title, "status": i.status} for i in state["blocker_items"]
        ],
        "unsigned_mandatory": [
            {"key": i.key, "title": i.title} for i in state["unsigned_mandatory"]
        ],
        "blocker_risks": [
            {"id": r.pk, "title": r.title, "workaround": r.workaround, "status": r.status}
            for r in state["blocker_risks"]
        ],
        "open_risks": [
            {"id": r.pk, "title": r.title, "type": r.type, "score": r.score, "severity": r.severity}
            for r in state["open_risks"]
        ],
        "overdue_actions": [
            {
                "id": a.pk,
                "description": a.description,
                "owner": str(a.owner),
                "due_date": str(a.due_date),
            }
            for a in state["overdue_actions"]
        ],
        "votes": [
            {
                "voter": str(v.voter),
                "choice": v.choice,
                "comment": v.comment,
                "at": v.created_at.isoformat(),
            }
            for v in tally["votes"]
        ],
        "votes_needed": tally["needed"],
    }


@transaction.atomic
def decision_record(
    *, decision, acting_user, outcome, rationale="", conditions=(), new_go_live_date=None,
    what_must_change="",
):  # fmt: skip
    """Record the final decision and freeze its snapshot.

    ``conditions``: for a conditional go, dicts with description, owner (a member) and
    due_date (before the go-live date).
    """
    decision = (
        Decision.objects.select_for_update().select_related("review__project").get(pk=decision.pk)
    )
    review = decision.review
    project = review.project
    if not permissions.can_record_decision(project_access(user=acting_user, project=project)):
        raise PermissionDenied("Only the facilitator or the project manager records the decision.")
    if decision.status != Decision.Status.OPEN:
        raise ValidationError("This decision is already recorded.")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose go, conditional go or no-go."})
    tally = vote_tally(decision)
    if not tally["enough"]:
        names = ", ".join(str(user) for user in tally["waiting_for"]) or "more approvers"
        raise ValidationError(
            f"The decision needs {tally['needed']} approver vote(s); {tally['cast']} cast. Waiting for {names}."
        )
    errors = {}
    conditions = list(conditions)
    if outcome == Outcome.CONDITIONAL_GO:
        if not conditions:
            errors["conditions"] = "A conditional go needs at least one condition."
        members = member_ids(project)
        for index, condition in enumerate(conditions, start=1):
            if not (condition.get("description") or "").strip():
                errors.setdefault("conditions", f"Condition {index} needs a description.")
            owner = condition.get("owner")
            if owner is None or owner.pk not in members:
                errors.setdefault(
                    "conditions", f"Condition {index} needs an owner who is a project member."
                )
            due = condition.get("due_date")
            if due is None:
                errors.setdefault("conditions", f"Condition {index} needs a due date.")
            elif project.go_live_date and due >= project.go_live_date:
                errors.setdefault(
                    "conditions",
                    f"Condition {index} must be due before the go-live date ({project.go_live_date}).",
                )
    if outcome == Outcome.NO_GO and not what_must_change.strip():
        errors["what_must_change"] = "Say what must change before the next go / no-go."
    if errors:
        raise ValidationError(errors)
    decision.outcome = outcome
    decision.rationale = rationale.strip()
    decision.what_must_change = what_must_change.strip()
    decision.new_go_live_date = new_go_live_date if outcome == Outcome.NO_GO else None
    decision.status = Decision.Status.RECORDED
    decision.recorded_by = acting_user
    decision.recorded_at = timezone.now()
    decision.snapshot = _snapshot(review, decision, tally)
    decision.save()
    if outcome == Outcome.CONDITIONAL_GO:
        DecisionCondition.objects.bulk_create(
            DecisionCondition(
                decision=decision,
                description=c["description"].strip(),
                owner=c["owner"],
                due_date=c["due_date"],
            )
            for c in conditions
        )
    return decision


@transaction.atomic
def decision_condition_met(*, condition, acting_user):
    condition = (
        DecisionCondition.objects.select_for_update()
        .select_related("decision__review__project")
        .get(pk=condition.pk)
    )
    access = project_access(user=acting_user, project=condition.decision.review.project)
    if not permissions.can_meet_condition(access, condition):
        raise PermissionDenied(
            "Only the condition's owner, the facilitator or the project manager can do this."
        )
    if condition.decision.reverted_at:
        raise ValidationError(
            "The decision already reverted to no-go; this condition can no longer be met."
        )
    if condition.met_at is None:
        condition.met_at = timezone.now()
        condition.met_by = acting_user
        condition.save(update_fields=["met_at", "met_by"])
    return condition


def decisions_revert_missed_conditions(*, today=None):
    """Revert every conditional go that has a condition still open after its due date.

    Safe to run again and concurrently: each decision is locked and only reverted once.
    Returns the decisions reverted by this call. People are told once, in their next
    reminder digest (``reminders``), which lists the missed conditions.
    """
    today = today or timezone.localdate()
    candidates = (
        DecisionCondition.objects.filter(
            decision__status=Decision.Status.RECORDED,
            decision__outcome=Outcome.CONDITIONAL_GO,
            decision__reverted_at__isnull=True,
            met_at__isnull=True,
            due_date__lt=today,
        )
        .values_list("decision_id", flat=True)
        .distinct()
    )
    reverted = []
    for decision_id in list(candidates):
        decision = _revert_one(decision_id, today)
        if decision is not None:
            reverted.append(decision)
    return reverted


@transaction.atomic
def _revert_one(decision_id, today):
    decision = (
        Decision.objects.select_for_update().select_related("review__project").get(pk=decision_id)
    )
    if decision.reverted_at is not None:
        return None
    missed = list(
        decision.conditions.select_for_update().filter(met_at__isnull=True, due_date__lt=today)
    )
    if not missed:
        return None
    now = timezone.now()
    for condition in missed:
        condition.missed_at = now
        condition.save(update_fields=["missed_at"])
    decision.reverted_at = now
    decision.revert_reason = "Condition(s) not met by their date: " + "; ".join(
        f"{c.description} (owner {c.owner}, due {c.due_date})" for c in missed
    )
    decision.save(update_fields=["reverted_at", "revert_reason", "updated_at"])
    return decision
