"""A known live cutover for the board's tests: five forward steps in a chain and one
rollback step, the window opening Friday 18:00 London.

  1 Freeze legacy     60 min  contributor   rollback: 6
  2 Migrate data     120 min  contributor
  3 Data checkpoint   30 min  facilitator   checkpoint, approvers: approver and PM
  4 Open new system   30 min  contributor   the point of no return
  5 Tell the users    30 min  viewer-less: the approver owns it
  6 Restore legacy    45 min  contributor   rollback step
"""

import datetime

from cutover.models import CutoverRun, PlanStatus, StepEvent
from projects.models import Role
from tests.factories import (
    CutoverPlanFactory,
    PlanVersionFactory,
    StepDependencyFactory,
    StepFactory,
)

MINUTE = datetime.timedelta(minutes=1)


def make_live_plan(project, members, *, window_start, window_hours=6, signed_off=True):
    version = PlanVersionFactory(
        plan=CutoverPlanFactory(project=project),
        window_start=window_start,
        window_end=window_start + datetime.timedelta(hours=window_hours),
        status=PlanStatus.SIGNED_OFF if signed_off else PlanStatus.DRAFT,
        buffer_minutes=120,
    )
    contributor = members[Role.CONTRIBUTOR]
    steps = {
        6: StepFactory(
            plan_version=version, number=6, title="Restore legacy", duration_minutes=45,
            is_rollback=True, owner=contributor,
        )
    }  # fmt: skip
    specs = [
        (1, "Freeze legacy", 60, contributor),
        (2, "Migrate data", 120, contributor),
        (3, "Data checkpoint", 30, members[Role.FACILITATOR]),
        (4, "Open new system", 30, contributor),
        (5, "Tell the users", 30, members[Role.APPROVER]),
    ]
    for number, title, minutes, owner in specs:
        steps[number] = StepFactory(
            plan_version=version, number=number, title=title, duration_minutes=minutes,
            owner=owner, rollback_step=steps[6] if number == 1 else None,
            is_checkpoint=number == 3,
            checkpoint_criteria="Record counts reconcile" if number == 3 else "",
        )  # fmt: skip
    steps[3].checkpoint_approvers.set([members[Role.APPROVER], members[Role.PROJECT_MANAGER]])
    for before in range(1, 5):
        StepDependencyFactory(predecessor=steps[before], successor=steps[before + 1])
    version.point_of_no_return_step = steps[4]
    version.save(update_fields=["point_of_no_return_step"])
    return version, steps


def start_run(version, members, *, kind="live", started_at=None):
    return CutoverRun.objects.create(
        plan=version.plan, plan_version=version, kind=kind, number=1,
        started_at=started_at or version.window_start,
        started_by=members[Role.PROJECT_MANAGER],
    )  # fmt: skip


def mark(run, step, kind, at, by):
    return StepEvent.objects.create(run=run, step=step, kind=kind, at=at, by=by)


def live_run_after_step_one(project, members):
    """A live run whose window opened 100 minutes ago; step 1 done after 60 minutes.
    Returns (run, steps)."""
    from django.utils import timezone

    window = timezone.now().replace(second=0, microsecond=0) - 100 * MINUTE
    version, steps = make_live_plan(project, members, window_start=window)
    run = start_run(version, members)
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[1], "started", window, pm)
    mark(run, steps[1], "done", window + 60 * MINUTE, pm)
    return run, steps
