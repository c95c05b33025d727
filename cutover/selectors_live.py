"""Reads of the live board, the checkpoint votes and the home page's "ready to start" panel,
scoped to the viewer's project.

The board makes the same queries for 30 steps or 300: the run (with its version), the
members' names, the steps, the dependencies, the events, the standing votes, the outcomes
and the checkpoint approvers, one query each; ``cutover.board`` computes the rest.
"""

from collections import namedtuple

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cutover.board import build_board
from cutover.models import (
    CheckpointOutcome,
    CheckpointVote,
    CutoverRun,
    RunStatus,
    Step,
    StepDependency,
    StepEvent,
)
from cutover.selectors import _members, step_rows

EventRow = namedtuple("EventRow", "id step_id kind at corrects_id recorded_at")
VoteRow = namedtuple("VoteRow", "step_id voter_id choice comment created_at")
OutcomeRow = namedtuple("OutcomeRow", "step_id outcome decided_at decided_by_id note")


def board_run(access, run_pk=None):
    """The run the board shows: ``run_pk`` of the project's plan, else the running one,
    else the latest live cutover, else the latest rehearsal; None when there is none."""
    runs = CutoverRun.objects.filter(plan__project=access.project).select_related(
        "plan_version", "plan"
    )
    if run_pk is not None:
        return runs.filter(pk=run_pk).first()
    # A plan has a handful of runs: choose in Python (running first, then the live
    # cutover, then the newest) rather than make the database sort on expressions.
    return min(
        runs,
        key=lambda run: (
            run.status != RunStatus.RUNNING, run.kind != "live",
            -run.started_at.timestamp(), -run.pk,
        ),
        default=None,
    )  # fmt: skip


def run_rows(run):
    """(steps as StepRows, edges, events) of a run's version: three queries."""
    version = run.plan_version
    return (
        step_rows(version, {}),
        list(version.dependencies.values_list("predecessor_id", "successor_id")),
        event_rows(run),
    )


def event_rows(run):
    return [
        EventRow(*values)
        for values in StepEvent.objects.filter(run=run).values_list(*EventRow._fields)
    ]


def standing_votes(run):
    return [
        VoteRow(*values)
        for values in CheckpointVote.objects.filter(run=run, superseded_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list(*VoteRow._fields)
    ]


def outcomes_of(run):
    return [
        OutcomeRow(*values)
        for values in CheckpointOutcome.objects.filter(run=run).values_list(*OutcomeRow._fields)
    ]


def checkpoint_approvers(version):
    """{checkpoint step id: set of approver ids} of a version, one query."""
    approvers = {}
    through = Step.checkpoint_approvers.through
    for step_id, user_id in through.objects.filter(
        step__plan_version=version, step__is_checkpoint=True
    ).values_list("step_id", "user_id"):
        approvers.setdefault(step_id, set()).add(user_id)
    return approvers


def board_of(run, project, *, now=None):
    """The board (``cutover.board.Board``) of ``run`` of ``project``."""
    version = run.plan_version
    names, _held = _members(project)
    steps, edges, events = run_rows(run)
    for row in steps:
        row.owner_name = names.get(row.owner_id, "")
    return build_board(
        run=run, version=version, steps=steps, edges=edges, events=events,
        votes=standing_votes(run), outcomes=outcomes_of(run),
        approvers=checkpoint_approvers(version), names=names, now=now or timezone.now(),
    )  # fmt: skip


def running_runs():
    """Every running run, with its version and project (the escalation sweep)."""
    return list(
        CutoverRun.objects.filter(status=RunStatus.RUNNING).select_related(
            "plan_version", "plan__project"
        )
    )


def steps_ready_for(user, *, limit=20):
    """Steps of running runs that ``user`` owns (or backs up) and may start now: not begun
    in the run, and every predecessor done or skipped. The runs of projects the user still
    belongs to, the forward plan only (a rollback's steps are on the board). One small
    query on a day without a running cutover (most days), two with one."""
    runs = dict(
        CutoverRun.objects.filter(status=RunStatus.RUNNING, plan__project__memberships__user=user)
        .exclude(outcomes__outcome="roll_back")  # rolling back: the forward plan stops
        .values_list("plan_version_id", "pk")
    )
    if not runs:
        return []
    run_ids = list(runs.values())
    begun = StepEvent.objects.filter(step=OuterRef("pk"), run_id__in=run_ids)
    finished = StepEvent.objects.filter(
        step=OuterRef("predecessor_id"), run_id__in=run_ids, kind__in=["done", "skipped"]
    )
    blocking = StepDependency.objects.filter(successor=OuterRef("pk")).exclude(Exists(finished))
    steps = list(
        Step.objects.filter(
            Q(owner=user) | Q(backup_owner=user),
            is_rollback=False,
            plan_version_id__in=list(runs),
        )
        .exclude(Exists(begun))
        .exclude(Exists(blocking))
        .select_related("plan_version__plan__project")
        .order_by("plan_version__plan__project__name", "number")[:limit]
    )
    for step in steps:
        step.run_pk = runs[step.plan_version_id]
    return steps
