"""The go / no-go decision: votes, recording with a frozen snapshot, conditions, reverting.

A go or conditional go stands on its own only when the gate is clear and the approvers'
go votes meet the project's rule. Otherwise it is an override: the project manager alone
may record it, with a written reason and a confirmation that names what is overridden;
both are frozen in the snapshot and shown wherever the decision is.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from decisions import tasks
from decisions.models import Decision, DecisionCondition, Outcome, Vote
from decisions.selectors import gate, overrides, vote_split, vote_tally
from projects import permissions
from projects.selectors import member_ids, project_access
from projects.services import project_replan
from risks.selectors import open_risks
from webhooks.models import WebhookEventType
from webhooks.services import webhook_event_publish


def decision_open(*, review, acting_user):
    """Open the review's decision for votes; the approvers are told by e-mail.

    Opening twice (or four times at once) ends at the one open decision.
    """
    if not permissions.can_record_decision(
        project_access(user=acting_user, project=review.project)
    ):
        raise PermissionDenied("Only the facilitator or the project manager opens the vote.")
    existing = Decision.objects.filter(review=review, status=Decision.Status.OPEN).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            decision = Decision.objects.create(review=review, opened_by=acting_user)
            transaction.on_commit(lambda: tasks.decision_vote_opened_notify_task.delay(decision.pk))
            webhook_event_publish(
                project=review.project, event=WebhookEventType.VOTE_OPENED,
                title=f"Go / no-go vote open: {review.title}",
                text=f"{acting_user} opened the go / no-go vote on {review.title}; the approvers "
                "vote go, no-go or abstain.",
                url=decision.get_absolute_url(), actor=acting_user,
                data={"decision_id": decision.pk, "review_id": review.pk},
            )  # fmt: skip
    except IntegrityError:  # someone opened it at the same moment: theirs is the one
        return Decision.objects.get(review=review, status=Decision.Status.OPEN)
    return decision


@transaction.atomic
def vote_cast(*, decision, acting_user, choice, comment=""):
    """Record an approver's vote; a later vote supersedes the earlier one until the decision
    is recorded (the earlier one stays in the history)."""
    decision = (
        Decision.objects.select_for_update().select_related("review__project").get(pk=decision.pk)
    )
    if decision.status != Decision.Status.OPEN:
        raise ValidationError("The decision is recorded; votes can no longer change.")
    if not permissions.can_vote(project_access(user=acting_user, project=decision.review.project)):
        raise PermissionDenied("Only approvers of the project vote.")
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Vote go, no-go or abstain."})
    comment = (comment or "").strip()
    mine = decision.votes.filter(voter=acting_user, superseded_at__isnull=True)
    current = mine.first()
    if current is not None and (current.choice, current.comment) == (choice, comment):
        return current  # the same vote submitted twice
    mine.update(superseded_at=timezone.now())
    return Vote.objects.create(decision=decision, voter=acting_user, choice=choice, comment=comment)


def _snapshot(review, gate_state, tally, *, override):
    """What the decision was based on, as plain data that never changes afterwards."""
    blockers = gate_state["go_live_blockers"]
    return {
        "taken_at": timezone.now().isoformat(),
        "review": {"id": review.pk, "title": review.title, "status": review.status},
        "project": {"go_live_date": str(review.project.go_live_date or "")},
        "score": gate_state["score"].as_dict(),
        "gate": {
            "clear": gate_state["clear"],
            "go_live_blockers": {
                "items": blockers.items, "findings": blockers.findings, "total": blockers.total,
            },
            "unsigned_mandatory": gate_state["unsigned_mandatory"].count,
            "rejected_items": gate_state["rejected_items"].count,
            "overdue_actions": gate_state["overdue_actions"].count,
            "expired_evidence": gate_state["expired_evidence"].count,
            "blocking_not_done": gate_state["blocking_not_done"].count,
            "cutover": gate_state["cutover"].as_dict(),
            "support": gate_state["support"].as_dict(),
            "criteria": gate_state["criteria"].as_list(),
            "criteria_switched_off": gate_state["criteria"].switched_off,
        },
        "blocker_items": [
            {"key": i.key, "title": i.title, "status": i.status}
            for i in gate_state["blocker_items"].rows
        ],
        "unsigned_mandatory": [
            {"key": i.key, "title": i.title} for i in gate_state["unsigned_mandatory"].rows
        ],
        "rejected_items": [
            {"key": i.key, "title": i.title} for i in gate_state["rejected_items"].rows
        ],
        "blocker_risks": [
            {"id": r.pk, "reference": r.reference, "title": r.title, "workaround": r.workaround,
             "status": r.status}
            for r in gate_state["blocker_risks"].rows
        ],
        "open_risks": [
            {"id": r.pk, "reference": r.reference, "title": r.title, "type": r.type,
             "score": r.score, "severity": r.severity}
            for r in open_risks(review.project)
        ],
        "overdue_actions": [
            {"id": a.pk, "description": a.description, "owner": str(a.owner),
             "due_date": str(a.due_date)}
            for a in gate_state["overdue_actions"].rows
        ],
        "votes": [
            {"voter": str(v.voter), "choice": v.choice, "comment": v.comment,
             "at": v.created_at.isoformat()}
            for v in tally["votes"]
        ],
        "votes_needed": tally["needed"],
        "vote_split": {
            "go": tally["go"], "no_go": tally["no_go"], "abstain": tally["abstain"],
            "needed": tally["needed"], "met": tally["met"], "text": vote_split(tally),
        },
        "override": override,
    }  # fmt: skip


def _check_conditions(project, conditions):
    errors = {}
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
    return errors


def _check_override(access, overridden, *, override_reason, confirmed):
    """A go over what ``overridden`` names: the project manager, a reason, a confirmation."""
    if not permissions.can_override_decision(access):
        raise PermissionDenied(
            "Only the project manager may record a go against "
            + "; and against ".join(overridden)
            + ". Record a no-go, or ask the project manager."
        )
    errors = {}
    if not override_reason.strip():
        errors["override_reason"] = (
            "Say why the go stands against " + "; and ".join(overridden) + "."
        )
    if set(confirmed) != set(overridden):
        errors["confirm_override"] = (
            "Confirm that you record a go against " + "; and against ".join(overridden) + "."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_record(
    *, decision, acting_user, outcome, rationale="", conditions=(), new_go_live_date=None,
    what_must_change="", override_reason="", confirm_override=(),
):  # fmt: skip
    """Record the final decision and freeze its snapshot; the project's members are told.

    ``conditions``: for a conditional go, dicts with description, owner (a member) and
    due_date (before the go-live date). A go or conditional go against a gate that is not
    clear or votes that do not meet the rule needs the project manager, an
    ``override_reason`` and ``confirm_override``: the sentences of what is overridden, as
    ``decisions.selectors.overrides`` gives them. A no-go with a ``new_go_live_date`` moves
    the project's planned date (a re-plan, kept in its history).
    """
    decision = (
        Decision.objects.select_for_update().select_related("review__project").get(pk=decision.pk)
    )
    review = decision.review
    project = review.project
    access = project_access(user=acting_user, project=project)
    if not permissions.can_record_decision(access):
        raise PermissionDenied("Only the facilitator or the project manager records the decision.")
    if decision.status != Decision.Status.OPEN:
        raise ValidationError("This decision is already recorded.")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose go, conditional go or no-go."})
    errors = {}
    if not (rationale or "").strip():
        errors["rationale"] = "Say why: every decision is read later by people who were not there."
    conditions = list(conditions)
    if outcome == Outcome.CONDITIONAL_GO:
        errors.update(_check_conditions(project, conditions))
    if outcome == Outcome.NO_GO and not what_must_change.strip():
        errors["what_must_change"] = "Say what must change before the next go / no-go."
    if errors:
        raise ValidationError(errors)
    gate_state = gate(review)
    tally = vote_tally(decision)
    overridden = overrides(gate_state, tally) if outcome != Outcome.NO_GO else []
    override = None
    if overridden:
        _check_override(
            access, overridden, override_reason=override_reason, confirmed=confirm_override
        )
        override = {"by": str(acting_user), "reason": override_reason.strip(), "what": overridden}
    decision.outcome = outcome
    decision.rationale = rationale.strip()
    decision.what_must_change = what_must_change.strip()
    decision.new_go_live_date = new_go_live_date if outcome == Outcome.NO_GO else None
    decision.overridden = overridden
    decision.override_reason = override_reason.strip() if overridden else ""
    decision.status = Decision.Status.RECORDED
    decision.recorded_by = acting_user
    decision.recorded_at = timezone.now()
    decision.snapshot = _snapshot(review, gate_state, tally, override=override)
    if decision.new_go_live_date and decision.new_go_live_date != project.go_live_date:
        decision.go_live_change = project_replan(
            project=project,
            acting_user=acting_user,
            new_date=decision.new_go_live_date,
            reason=f"No-go on “{review.title}”: {decision.rationale}",
        )
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
    transaction.on_commit(lambda: tasks.decision_recorded_notify_task.delay(decision.pk))
    _publish_recorded(decision, acting_user)
    return decision


def _publish_recorded(decision, acting_user):
    review, outcome = decision.review, decision.get_outcome_display()
    text = f"{acting_user} recorded {outcome.lower()} on {review.title}: {decision.rationale}"
    if decision.overridden:
        text += f" (an override: {decision.override_reason})"
    webhook_event_publish(
        project=review.project, event=WebhookEventType.DECISION_RECORDED,
        title=f"Decision: {outcome} — {review.title}", text=text,
        url=decision.get_absolute_url(), actor=acting_user,
        data={"decision_id": decision.pk, "review_id": review.pk, "outcome": decision.outcome,
              "overridden": bool(decision.overridden)},
    )  # fmt: skip


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
