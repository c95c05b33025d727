"""Reads of the cutover plan, scoped to the viewer's project and shaped for the pages.

The plan page makes the same number of queries for 30 steps or 300: the version's steps
(with their people), the dependencies, the checkpoint approvers, the sign-offs and the
versions are each one query, and the schedule is computed in Python (``cutover.schedule``).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain

from django.db.models import Prefetch
from django.http import Http404

from core.http import UrlTemplate
from cutover.models import CutoverPlan, PlanChange, PlanStatus, PlanVersion, Step, StepChange
from cutover.schedule import (
    CycleError,
    ScheduleStep,
    compute_schedule,
    describe_cycle,
    format_minutes,
    window_fit,
)
from cutover.services.signoffs import plan_signoff_state
from cutover.timeline import build_timeline
from projects import permissions
from projects.models import Membership, Role, SignoffRole


def plan_of(project):
    return CutoverPlan.objects.filter(project=project).first()


def version_get(access, number=None):
    """The project's current plan version, or version ``number``; a 404 when there is none."""
    versions = PlanVersion.objects.filter(plan__project=access.project).select_related(
        "plan", "point_of_no_return_step", "created_by"
    )
    version = (
        versions.filter(number=number).first()
        if number is not None
        else versions.exclude(status=PlanStatus.SUPERSEDED).first()
    )
    if version is None:
        raise Http404("No such version of the cutover plan.")
    version.plan.project = access.project
    return version


def step_get(access, step_pk):
    """A step of the project's plan (any version); a 404 for anyone else's."""
    step = (
        Step.objects.filter(pk=step_pk, plan_version__plan__project=access.project)
        .select_related("plan_version__plan", "owner", "backup_owner", "rollback_step")
        .prefetch_related("checkpoint_approvers")
        .first()
    )
    if step is None:
        raise Http404("No such step.")
    step.plan_version.plan.project = access.project
    return step


def steps_of(version):
    """The version's steps in run sheet order, with their people loaded."""
    return list(
        version.steps.select_related("owner", "backup_owner", "rollback_step")
        .prefetch_related(Prefetch("checkpoint_approvers"))
        .order_by("number")
    )


def predecessors_by_step(version):
    """{step pk: [predecessor numbers]} in one query."""
    links = {}
    for successor, number in version.dependencies.values_list(
        "successor_id", "predecessor__number"
    ):
        links.setdefault(successor, []).append(number)
    for numbers in links.values():
        numbers.sort()
    return links


def _links(version):
    """({step pk: [predecessor numbers]}, [(predecessor pk, successor pk)]) in one query."""
    numbers, edges = {}, []
    for before, after, number in version.dependencies.values_list(
        "predecessor_id", "successor_id", "predecessor__number"
    ):
        edges.append((before, after))
        numbers.setdefault(after, []).append(number)
    for listed in numbers.values():
        listed.sort()
    return numbers, edges


@dataclass
class RunSheetLine:
    step: object
    start: object = None
    end: object = None
    slack: int = 0
    critical: bool = False
    waiting: int = 0
    predecessors: list = field(default_factory=list)
    url: str = ""


@dataclass
class PlanView:
    """Everything the plan page shows about one version."""

    plan: object
    version: object
    versions: list
    lines: list  # forward plan, run sheet order
    rollback_lines: list
    schedule: object = None
    fit: object = None
    timeline: object = None
    rollback_minutes: int = 0
    rollback_end: object = None
    rollback_fit: object = None
    cycle: str = ""
    signoff_state: object = None
    signoffs: list = field(default_factory=list)
    awaited_roles: list = field(default_factory=list)
    unheld_roles: list = field(default_factory=list)
    critical_minutes: int = 0

    @property
    def step_count(self):
        return len(self.lines) + len(self.rollback_lines)

    @property
    def window_length(self):
        return format_minutes(self.version.window_minutes)

    @property
    def buffer_length(self):
        return format_minutes(self.version.buffer_minutes)

    @property
    def buffer_start(self):
        return self.version.window_end - timedelta(minutes=self.version.buffer_minutes)

    @property
    def critical_length(self):
        return format_minutes(self.critical_minutes)

    @property
    def rollback_length(self):
        return format_minutes(self.rollback_minutes)

    @property
    def deadline_after_ponr(self):
        """A rollback deadline later than the point of no return cannot be met."""
        ponr = self.ponr_time
        deadline = self.version.rollback_deadline
        return bool(ponr and deadline and deadline > ponr)

    @property
    def ponr_time(self):
        """When the point of no return is planned: its step's start, or its time."""
        step_id = self.version.point_of_no_return_step_id
        if step_id and self.schedule is not None:
            return self.schedule.start.get(step_id)
        return self.version.point_of_no_return_at

    @property
    def checkpoints(self):
        return [line for line in self.lines if line.step.is_checkpoint]


def _schedule(steps, edges, start):
    schedule = compute_schedule(
        [ScheduleStep(step.pk, step.duration_minutes, step.fixed_start) for step in steps],
        edges,
        window_start=start,
    )
    return schedule


def _held_roles(project):
    """Stakeholder roles someone in the project signs as (one query)."""
    held = set()
    for role, roles in Membership.objects.filter(project=project, user__is_active=True).values_list(
        "role", "signoff_roles"
    ):
        if role == Role.VIEWER:
            continue
        held.update(roles or ())
        if role == Role.PROJECT_MANAGER:
            held.add(SignoffRole.PROJECT_MANAGER)
    return held


def plan_view(access, version):
    """The plan page's data for ``version`` (a version of the viewer's project)."""
    plan = version.plan
    versions = list(plan.versions.order_by("-number").select_related("created_by"))
    steps = steps_of(version)
    predecessors, edges = _links(version)
    forward = [step for step in steps if not step.is_rollback]
    rollback = [step for step in steps if step.is_rollback]
    view = PlanView(plan=plan, version=version, versions=versions, lines=[], rollback_lines=[])
    try:
        schedule = _schedule(forward, edges, version.window_start)
    except CycleError as error:  # only a hand-edited database gets here: the services refuse
        numbers = {step.pk: step.number for step in steps}
        view.cycle = describe_cycle(error.cycle, label=numbers.get)
        schedule = None
    if schedule is not None:
        view.schedule = schedule
        view.fit = window_fit(
            planned_end=schedule.planned_end, window_end=version.window_end,
            buffer_minutes=version.buffer_minutes,
        )  # fmt: skip
        critical = schedule.critical
        view.lines = [
            RunSheetLine(
                step=step,
                start=schedule.start[step.pk],
                end=schedule.end[step.pk],
                slack=schedule.slack[step.pk],
                critical=step.pk in critical,
                waiting=schedule.waiting.get(step.pk, 0),
                predecessors=predecessors.get(step.pk, []),
            )
            for step in forward
        ]
        view.critical_minutes = schedule.duration_minutes
        view.timeline = build_timeline(forward, schedule, version, fit=view.fit)
    rollback_start = version.rollback_deadline or version.window_start
    try:
        rollback_schedule = _schedule(rollback, edges, rollback_start)
    except CycleError:
        rollback_schedule = None
    if rollback_schedule is not None:
        view.rollback_lines = [
            RunSheetLine(
                step=step,
                start=rollback_schedule.start[step.pk],
                end=rollback_schedule.end[step.pk],
                slack=rollback_schedule.slack[step.pk],
                critical=step.pk in rollback_schedule.critical,
                predecessors=predecessors.get(step.pk, []),
            )
            for step in rollback
        ]
        view.rollback_minutes = rollback_schedule.duration_minutes
        view.rollback_end = rollback_schedule.planned_end
        if rollback and version.rollback_deadline:
            view.rollback_fit = window_fit(
                planned_end=rollback_schedule.planned_end, window_end=version.window_end,
                buffer_minutes=0,
            )  # fmt: skip
    link = UrlTemplate("cutover:step_edit", access.project.pk)
    for line in chain(view.lines, view.rollback_lines):
        line.url = link.fill(line.step.pk)
    records = list(version.signoffs.select_related("signer").order_by("created_at", "pk"))
    view.signoffs = records
    view.signoff_state = plan_signoff_state(plan, records)
    labels = dict(SignoffRole.choices)
    view.awaited_roles = [labels.get(role, role) for role in view.signoff_state.awaited_roles]
    held = _held_roles(access.project)
    view.unheld_roles = [
        labels.get(role, role) for role in plan.signoff_roles or [] if role not in held
    ]
    return view


def my_signoff_roles(access, plan):
    labels = dict(SignoffRole.choices)
    return [
        (role, labels[role]) for role in plan.signoff_roles or []
        if role in permissions.plan_signoff_roles_eligible(access, plan)
    ]  # fmt: skip


def version_history(version, *, limit=200):
    """Changes of the version and of its steps, newest first."""
    plan_changes = PlanChange.objects.filter(plan_version=version).select_related("user")
    step_changes = StepChange.objects.filter(step__plan_version=version).select_related(
        "user", "step"
    )
    rows = sorted(
        chain(
            plan_changes.order_by("-created_at")[:limit],
            step_changes.order_by("-created_at")[:limit],
        ),
        key=lambda change: (change.created_at, change.pk),
        reverse=True,
    )
    return rows[:limit]


def describe_duration(minutes):
    return format_minutes(minutes)
