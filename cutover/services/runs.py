"""Writes of a run (a rehearsal or the live cutover): start it, mark steps, correct times,
raise findings, finish or abandon it.

Every write locks the run's row first, so two marks of one run are recorded one after the
other: the second sees the first, and a mark made on top of a row that has moved on since
the person saw it (``seen``: the step's last event id on their screen) is refused with a
message that says who marked what, instead of recording a second event.

Events are append-only: a correction is a new event naming the one it corrects.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cutover.models import (
    CheckpointChoice,
    CheckpointOutcome,
    CutoverPlan,
    CutoverRun,
    PlanStatus,
    RunKind,
    RunStatus,
    StepEvent,
    StepEventKind,
    StepFinding,
)
from cutover.progress import ALLOWED, COMPLETE, READY, STATUS_LABELS, WAITING, effective_times
from projects import permissions
from risks.models import Category, RiskType
from risks.services import risk_create

from .common import access_of
from .notify import notify_steps_ready

MARKS = (StepEventKind.STARTED, StepEventKind.DONE, StepEventKind.FAILED, StepEventKind.SKIPPED)
# A time recorded or corrected may be this far ahead of the server's clock (clocks differ).
CLOCK_SLACK = datetime.timedelta(minutes=2)


class StaleMark(ValidationError):
    """Someone marked the step since the person saw it; nothing was recorded."""


def _require_runner(acting_user, project):
    if not permissions.can_run_cutover(access_of(acting_user, project)):
        raise PermissionDenied(
            "Only the project manager and the cutover manager start and finish rehearsals."
        )


def _require_recorder(acting_user, run, step):
    if not permissions.can_record_step(access_of(acting_user, run.plan.project), step):
        raise PermissionDenied(
            "Only the step's owner, its backup and the cutover manager mark this step."
        )


def _lock(run):
    return (
        CutoverRun.objects.select_for_update()
        .select_related("plan__project", "plan_version")
        .get(pk=run.pk)
    )


def _when(at, *, what="The time"):
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({"at": f"{what} needs a time zone."})
    if at > now + CLOCK_SLACK:
        raise ValidationError({"at": f"{what} is in the future; record what has happened."})
    return at


@transaction.atomic
def run_start(*, plan, acting_user, kind=RunKind.REHEARSAL, started_at=None):
    """Start rehearsal N (or the live cutover) of the plan's current version. The version is
    then frozen: a later change of the plan makes a new version (``services.common``)."""
    _require_runner(acting_user, plan.project)
    plan = CutoverPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)
    if kind not in RunKind.values:
        raise ValidationError({"kind": "Choose a rehearsal or the live cutover."})
    running = plan.runs.filter(status=RunStatus.RUNNING).first()
    if running is not None:
        raise ValidationError(
            f"{running} is still running; finish or abandon it before starting another."
        )
    version = plan.versions.exclude(status=PlanStatus.SUPERSEDED).first()
    if version is None or not version.steps.filter(is_rollback=False).exists():
        raise ValidationError("The plan has no steps to run yet.")
    if kind == RunKind.LIVE and plan.runs.filter(kind=RunKind.LIVE).exists():
        raise ValidationError("The live cutover has already been run.")
    number = (plan.runs.filter(kind=kind).aggregate(n=Max("number"))["n"] or 0) + 1
    run = CutoverRun.objects.create(
        plan=plan, plan_version=version, kind=kind, number=number,
        started_at=_when(started_at, what="The start"), started_by=acting_user,
    )  # fmt: skip
    notify_steps_ready(run)  # the first steps can start at once
    return run


def _step_events(run, step):
    return list(StepEvent.objects.filter(run=run, step=step).select_related("by"))


def _status(events, step, run):
    """The step's status in the run from its own events, and its last event."""
    marks = [event for event in events if event.kind != StepEventKind.CORRECTED]
    last = max(marks, key=lambda event: event.pk, default=None)
    if last is None:
        if _predecessors_complete(run, step):
            return READY, None
        return WAITING, None
    status = "running" if last.kind == StepEventKind.STARTED else last.kind
    return status, last


def _predecessors_complete(run, step):
    """Whether every predecessor of the step is done or skipped in the run."""
    predecessor_ids = set(step.predecessor_links.values_list("predecessor_id", flat=True))
    if not predecessor_ids:
        return True
    last_kinds = {}
    for step_id, kind in (
        StepEvent.objects.filter(run=run, step_id__in=predecessor_ids)
        .exclude(kind=StepEventKind.CORRECTED)
        .order_by("pk")
        .values_list("step_id", "kind")
    ):
        last_kinds[step_id] = kind
    return all(last_kinds.get(step_id) in COMPLETE for step_id in predecessor_ids)


def _refuse_stale(step, last, seen):
    if seen is None:
        return
    last_id = last.pk if last is not None else 0
    if int(seen) == last_id:
        return
    who = last.by if last is not None else "Someone"
    what = last.get_kind_display().lower() if last is not None else "unmarked"
    raise StaleMark(
        f"{who} marked step {step.number} {what} at {_clock(last, step)} while you were "
        "looking; nothing was recorded. The row now shows where the step stands: mark it "
        "again if you still need to."
    )


def _clock(event, step):
    if event is None:
        return "just now"
    return f"{event.at.astimezone(step.plan_version.tz):%H:%M}"


def _refuse_undecided_checkpoint(run, step, kind):
    """On the day, a checkpoint is passed only when its approvers decided to go on (on the
    board); a rehearsal may pass one without a vote."""
    if run.kind != RunKind.LIVE or not step.is_checkpoint or kind != StepEventKind.DONE:
        return
    outcome = CheckpointOutcome.objects.filter(run=run, step=step).first()
    if outcome is None:
        raise ValidationError(
            f"Step {step.number} is a checkpoint: its approvers decide on the board to go on "
            "or roll back before it is marked done."
        )
    if outcome.outcome != CheckpointChoice.GO_ON:
        raise ValidationError(f"Step {step.number} was decided: roll back. It is not marked done.")


@transaction.atomic
def step_record(*, run, step, acting_user, kind, at=None, note="", seen=None):
    """Mark a step started, done, failed or skipped at ``at`` (now by default).

    ``seen`` is the id of the step's last event on the person's screen (0 for none): a mark
    made on top of an older row is refused (StaleMark), not recorded twice. A mark that does
    not follow from where the step stands (done before started, started twice) is refused.
    """
    run = _lock(run)
    if step.plan_version_id != run.plan_version_id:
        raise ValidationError("That step belongs to another version of the plan.")
    step.plan_version = run.plan_version
    _require_recorder(acting_user, run, step)
    if run.status != RunStatus.RUNNING:
        raise ValidationError(f"{run} is {run.get_status_display().lower()}; nothing is marked.")
    if kind not in MARKS:
        raise ValidationError({"kind": "Mark a step started, done, failed or skipped."})
    if step.is_rollback and run.kind == RunKind.REHEARSAL:
        raise ValidationError("Rollback steps are not run in a rehearsal.")
    events = _step_events(run, step)
    status, last = _status(events, step, run)
    _refuse_stale(step, last, seen)
    if status not in ALLOWED[kind]:
        label = STATUS_LABELS[status].lower()
        if status == WAITING and kind == StepEventKind.STARTED:
            raise ValidationError(
                f"Step {step.number} waits for its predecessors; mark them done (or skipped) first."
            )
        raise ValidationError(
            f"Step {step.number} is {label}: it cannot be marked "
            f"{StepEventKind(kind).label.lower()} now."
        )
    _refuse_undecided_checkpoint(run, step, kind)
    at = _when(at)
    if last is not None and kind != StepEventKind.STARTED:
        start = effective_times(events).get(last.pk, last.at)
        if at < start:
            raise ValidationError({"at": "A step cannot end before it started."})
    event = StepEvent.objects.create(
        run=run, step=step, kind=kind, at=at, by=acting_user, note=(note or "").strip()[:2000]
    )
    if kind in (StepEventKind.DONE, StepEventKind.SKIPPED):
        notify_steps_ready(run, step)  # the steps it unblocks; a finished rollback closes the run
    return event


@transaction.atomic
def step_correct(*, event, acting_user, at, note):
    """Correct the time of a recorded event: a new event, so the original stays in the
    history beside it (who, when, why). A correction of a correction corrects the original."""
    original = event.corrects if event.kind == StepEventKind.CORRECTED else event
    run = _lock(original.run)
    step = original.step
    step.plan_version = run.plan_version
    _require_recorder(acting_user, run, step)
    if run.status == RunStatus.ABANDONED:
        raise ValidationError(f"{run} was abandoned; its times are kept as they were.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the time changes (for the history)."})
    if at is None:
        raise ValidationError({"at": "Give the time it really happened."})
    at = _when(at, what="The corrected time")
    events = _step_events(run, step)
    times = effective_times(events)
    marks = sorted((e for e in events if e.kind != StepEventKind.CORRECTED), key=lambda e: e.pk)
    index = next(i for i, e in enumerate(marks) if e.pk == original.pk)
    if index > 0 and at < times[marks[index - 1].pk]:
        raise ValidationError(
            {"at": "That is before the step's previous mark; correct that one first."}
        )
    if index + 1 < len(marks) and at > times[marks[index + 1].pk]:
        raise ValidationError({"at": "That is after the step's next mark; correct that one first."})
    if times[original.pk] == at:
        raise ValidationError({"at": "That is the time already recorded."})
    return StepEvent.objects.create(
        run=run, step=step, kind=StepEventKind.CORRECTED, at=at, by=acting_user,
        note=note[:2000], corrects=original,
    )  # fmt: skip


def _close(run, acting_user, status, ended_at=None):
    _require_runner(acting_user, run.plan.project)
    if run.status != RunStatus.RUNNING:
        raise ValidationError(f"{run} is already {run.get_status_display().lower()}.")
    run.status = status
    run.ended_at = max(_when(ended_at, what="The end"), run.started_at)
    run.save(update_fields=["status", "ended_at"])
    return run


@transaction.atomic
def run_finish(*, run, acting_user, ended_at=None):
    """The rehearsal is over (at ``ended_at``, now by default): its report is final (times
    may still be corrected)."""
    return _close(_lock(run), acting_user, RunStatus.FINISHED, ended_at)


@transaction.atomic
def run_abandon(*, run, acting_user):
    """Stop a run that will not be completed (it stays in the history, out of the trend)."""
    return _close(_lock(run), acting_user, RunStatus.ABANDONED)


@transaction.atomic
def step_finding_raise(
    *, run, step, acting_user, title, type=RiskType.ISSUE, description="", likelihood=None,
    impact=None, is_blocker=False, first_action=None,
):  # fmt: skip
    """A problem found at a step becomes a finding (an issue, category cutover) of the risk
    register, with its first action, linked to the step and the run. The risks service does
    the raising (its rules, numbering and history); the description says where it came from,
    since the register cannot link back to a cutover step."""
    run = _lock(run)
    if step.plan_version_id != run.plan_version_id:
        raise ValidationError("That step belongs to another version of the plan.")
    step.plan_version = run.plan_version
    _require_recorder(acting_user, run, step)
    origin = f"Found at cutover step {step.number} “{step.title}”, {str(run).lower()}."
    description = (description or "").strip()
    risk = risk_create(
        project=run.plan.project, acting_user=acting_user, title=title,
        type=type, category=Category.CUTOVER,
        description=f"{origin}\n\n{description}" if description else origin,
        likelihood=likelihood, impact=impact, is_blocker=is_blocker, first_action=first_action,
    )  # fmt: skip
    StepFinding.objects.create(run=run, step=step, risk=risk, created_by=acting_user)
    return risk
