"""Checkpoint votes of a run, and what they decide.

The rule (``cutover.board.CHECKPOINT_RULE``, shown on the board): a checkpoint goes on when
every one of its approvers votes "go on"; one "roll back" vote rolls the cutover back. An
approver may change their vote until the outcome is recorded (the new vote supersedes the
old one, which stays in the history); the outcome, once recorded with its time, stands.

A roll back switches the run to its rollback steps (the board shows them); the run is
rolled back when they are all done (``run_rollback_finish_if_done``), at once when there are
none to run.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cutover.board import ROLL_BACK, rollback_state, rollback_step_ids
from cutover.models import (
    CheckpointChoice,
    CheckpointOutcome,
    CheckpointVote,
    CutoverRun,
    RunStatus,
    Step,
)
from cutover.progress import COMPLETE, WAITING, state_of_run
from cutover.selectors_live import run_rows
from projects import permissions
from projects.models import Membership, Role

from .common import access_of
from .notify import notify_steps_ready


def _lock(run):
    return (
        CutoverRun.objects.select_for_update()
        .select_related("plan__project", "plan_version")
        .get(pk=run.pk)
    )


def _forward_state(run, steps, edges, events, now):
    forward = [row for row in steps if not row.is_rollback]
    return forward, state_of_run(run, run.plan_version, forward, edges, events, now=now)


def _voting_approvers(run, step):
    """The checkpoint's approvers who may still vote: active members who do more than watch
    (an approver who left the project does not hold the checkpoint up)."""
    ids = permissions.checkpoint_approver_ids(step)
    return set(
        Membership.objects.filter(project=run.plan.project, user_id__in=ids, user__is_active=True)
        .exclude(role=Role.VIEWER)
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def checkpoint_vote(*, run, step, acting_user, choice, comment=""):
    """``acting_user`` votes go on or roll back at checkpoint ``step`` of ``run``.

    Returns (vote, outcome or None). Refuses a voter who is not an approver of the
    checkpoint (PermissionDenied), a checkpoint not reached yet or already decided, a run
    that is over, and a roll back without a reason (ValidationError).
    """
    run = _lock(run)
    step = (
        Step.objects.filter(pk=step.pk, plan_version=run.plan_version)
        .prefetch_related("checkpoint_approvers")
        .first()
    )
    if step is None or not step.is_checkpoint:
        raise ValidationError("That is not a checkpoint of this run.")
    if not permissions.can_vote_checkpoint(access_of(acting_user, run.plan.project), step):
        raise PermissionDenied(
            f"Only the approvers of checkpoint {step.number} vote on it; you can follow the "
            "votes on the board."
        )
    if run.status != RunStatus.RUNNING:
        raise ValidationError(f"{run} is {run.get_status_display().lower()}; votes are closed.")
    if choice not in CheckpointChoice.values:
        raise ValidationError({"choice": "Vote “go on” or “roll back”."})
    comment = (comment or "").strip()[:2000]
    if choice == CheckpointChoice.ROLL_BACK and not comment:
        raise ValidationError({"comment": "Say why the cutover should roll back."})
    decided = CheckpointOutcome.objects.filter(run=run, step=step).first()
    if decided is not None:
        raise ValidationError(
            f"Checkpoint {step.number} is decided: {decided.get_outcome_display().lower()} at "
            f"{decided.decided_at.astimezone(run.plan_version.tz):%H:%M}."
        )
    now = timezone.now()
    steps, edges, events = run_rows(run)
    forward, state = _forward_state(run, steps, edges, events, now)
    if step.pk in state.steps and state[step.pk].status == WAITING:
        raise ValidationError(
            f"Checkpoint {step.number} is not reached yet: its predecessors are not all done."
        )
    if any(outcome.outcome == ROLL_BACK for outcome in run.outcomes.all()):
        raise ValidationError(f"{run} is rolling back; checkpoints are no longer voted.")
    CheckpointVote.objects.filter(
        run=run, step=step, voter=acting_user, superseded_at__isnull=True
    ).update(superseded_at=now)
    vote = CheckpointVote.objects.create(
        run=run, step=step, voter=acting_user, choice=choice, comment=comment, created_at=now
    )
    outcome = _decide(run, step, acting_user, now)
    rolling_back = outcome is not None and outcome.outcome == CheckpointChoice.ROLL_BACK
    if rolling_back and not _finish_rollback(
        run, steps, edges, events, forward, state, outcome, now
    ):
        notify_steps_ready(run, step)  # the rollback steps' owners: they can start
    return vote, outcome


def _decide(run, step, acting_user, now):
    """Record the outcome when the standing votes decide it (see the module's docstring)."""
    standing = list(
        CheckpointVote.objects.filter(run=run, step=step, superseded_at__isnull=True)
        .select_related("voter")
        .order_by("created_at", "pk")
    )
    rollbacks = [vote for vote in standing if vote.choice == CheckpointChoice.ROLL_BACK]
    if rollbacks:
        first = rollbacks[0]
        outcome, note = CheckpointChoice.ROLL_BACK, f"{first.voter}: {first.comment}"
    else:
        voted = {vote.voter_id for vote in standing}
        if not _voting_approvers(run, step) <= voted:
            return None
        outcome = CheckpointChoice.GO_ON
        note = "Every approver voted go on: " + ", ".join(str(v.voter) for v in standing) + "."
    return CheckpointOutcome.objects.create(
        run=run, step=step, outcome=outcome, decided_at=now, decided_by=acting_user,
        note=note[:2000],
    )  # fmt: skip


def _finish_rollback(run, steps, edges, events, forward, state, outcome, now):
    """Close the run as rolled back when its rollback steps are all done (or none)."""
    wanted = rollback_step_ids(forward, state)
    rows = [row for row in steps if row.pk in wanted]
    rolled = rollback_state(
        rows, edges, events, decided_at=outcome.decided_at, window_end=None, now=None
    )
    if all(rolled[row.pk].status in COMPLETE for row in rows):
        run.status = RunStatus.ROLLED_BACK
        run.ended_at = max(now, run.started_at)
        run.save(update_fields=["status", "ended_at"])
        return True
    return False


@transaction.atomic
def run_rollback_finish_if_done(*, run_id):
    """After a step is done: a run rolling back whose rollback steps are all done becomes
    rolled back. Returns whether it did; anything else is left as it is."""
    run = _lock(CutoverRun(pk=run_id))
    if run.status != RunStatus.RUNNING:
        return False
    outcome = run.outcomes.filter(outcome=CheckpointChoice.ROLL_BACK).first()
    if outcome is None:
        return False
    now = timezone.now()
    steps, edges, events = run_rows(run)
    forward, state = _forward_state(run, steps, edges, events, now)
    return _finish_rollback(run, steps, edges, events, forward, state, outcome, now)
