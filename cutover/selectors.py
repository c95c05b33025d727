"""Reads of the cutover plan, scoped to the viewer's project and shaped for the pages.

The plan page makes the same number of queries for 30 steps or 300: the version's steps
(with their people), the dependencies, the checkpoint approvers, the sign-offs and the
versions are each one query, and the schedule is computed in Python (``cutover.schedule``).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain

from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.http import UrlTemplate
from cutover.models import (
    CutoverPlan,
    PlanChange,
    PlanStatus,
    PlanVersion,
    Step,
    StepCategory,
    StepChange,
)
from cutover.schedule import (
    CycleError,
    ScheduleStep,
    compute_schedule,
    describe_cycle,
    format_minutes,
    window_fit,
)
from cutover.timeline import build_timeline
from projects import permissions
from projects.models import Membership, Role, SignoffRole
from reviews.scoring import plan_signoff_state


def plan_of(project):
    return CutoverPlan.objects.filter(project=project).first()


def version_get(access, number=None, *, missing=Http404):
    """The project's current plan version, or version ``number``; a 404 when there is none
    (or None with ``missing=None``). One query brings every version of the plan (a plan
    has a handful): the page lists them as ``version.all_versions``, newest first."""
    versions = list(
        PlanVersion.objects.filter(plan__project=access.project)
        .select_related("plan", "point_of_no_return_step", "created_by")
        .order_by("-number")
    )
    version = next(
        (
            v
            for v in versions
            if (v.number == number if number is not None else v.status != PlanStatus.SUPERSEDED)
        ),
        None,
    )
    if version is None:
        if missing is None:
            return None
        raise Http404("No such version of the cutover plan.")
    plan = version.plan
    plan.project = access.project
    for other in versions:
        other.plan = plan
    version.all_versions = versions
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
    """The version's steps in run sheet order, with their people loaded (the export)."""
    return list(
        version.steps.select_related("owner", "backup_owner", "rollback_step").order_by("number")
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


def _links(version, numbers):
    """({step pk: [predecessor numbers]}, [(predecessor pk, successor pk)]) in one query;
    ``numbers`` maps step pks to numbers."""
    by_successor, edges = {}, []
    for before, after in version.dependencies.values_list("predecessor_id", "successor_id"):
        edges.append((before, after))
        by_successor.setdefault(after, []).append(numbers[before])
    for listed in by_successor.values():
        listed.sort()
    return by_successor, edges


class StepRow:
    """A step as the plan page shows it: its columns, without model instances (a page of
    300 steps builds 300 of these instead of 1,200 models), and its people's names."""

    COLUMNS = (
        "pk", "number", "title", "category", "owner_id", "backup_owner_id", "duration_minutes",
        "fixed_start", "is_checkpoint", "checkpoint_criteria", "rollback_step_id", "is_rollback",
    )  # fmt: skip
    __slots__ = (*COLUMNS, "owner_name", "backup_name", "category_label", "rollback_number")

    def __init__(self, values):
        for name, value in zip(self.COLUMNS, values, strict=True):
            setattr(self, name, value)


def step_rows(version, names):
    """The version's steps in order as StepRows; ``names`` maps user ids to names."""
    labels = dict(StepCategory.choices)
    rows = [
        StepRow(values) for values in version.steps.order_by("number").values_list(*StepRow.COLUMNS)
    ]
    numbers = {row.pk: row.number for row in rows}
    for row in rows:
        row.owner_name = _name(names, row.owner_id)
        row.backup_name = _name(names, row.backup_owner_id)
        row.category_label = labels.get(row.category, row.category)
        row.rollback_number = numbers.get(row.rollback_step_id)
    return rows


def _name(names, user_id):
    if user_id is None:
        return ""
    return names.get(user_id) or "a former member"


@dataclass
class RunSheetLine:
    """One run sheet row with its times, as text in the plan's time zone."""

    step: object
    start: object = None
    end: object = None
    slack: int = 0
    critical: bool = False
    waiting: int = 0
    predecessors: list = field(default_factory=list)
    url: str = ""
    linked: bool = False  # the viewer may open the step's form
    ponr: bool = False  # the point of no return
    start_text: str = ""
    end_text: str = ""
    waiting_text: str = ""
    slack_text: str = ""
    duration_text: str = ""
    predecessors_text: str = ""

    @property
    def html(self):
        """The row of the run sheet table. Written here rather than in the template: at 300
        steps the template engine spent longer on the rows than on all the rest of the page
        (the bench: bench/bench_cutover.py). Every text from people is escaped."""
        step = self.step
        title = escape(step.title)
        if self.linked:
            title = f'<a href="{self.url}">{title}</a>'
        if step.is_checkpoint:
            title += (
                f' <span class="badge text-bg-warning" title="{escape(step.checkpoint_criteria)}">'
                '<i class="bi bi-flag-fill" aria-hidden="true"></i> checkpoint</span>'
            )
        if not step.duration_minutes:
            title += ' <span class="badge text-bg-light border">milestone</span>'
        if step.rollback_number:
            title += f' <span class="small text-body-secondary">(rollback: {step.rollback_number})</span>'
        if self.ponr:
            title += ' <span class="badge text-bg-dark">point of no return</span>'
        owner = (
            escape(step.owner_name)
            if step.owner_name
            else '<span class="text-danger-emphasis">no owner</span>'
        )
        if step.backup_name:
            owner += f'<br><span class="small text-body-secondary">backup {escape(step.backup_name)}</span>'
        start = self.start_text
        if self.waiting_text:
            start += f'<br><span class="small text-body-secondary">waits {self.waiting_text}</span>'
        critical = (
            '<span class="text-danger-emphasis fw-semibold">yes</span>'
            if self.critical
            else '<span class="text-body-secondary">no</span>'
        )
        row_class = ' class="runsheet-critical"' if self.critical else ""
        return mark_safe(  # noqa: S308 (every text above is escaped)
            f'<tr id="step-{step.number}"{row_class}>'
            f'<td class="text-end">{step.number}</td><td class="runsheet-title">{title}</td>'
            f"<td>{owner}</td><td>{escape(step.category_label)}</td>"
            f'<td class="text-end text-nowrap">{self.duration_text}</td>'
            f'<td class="text-nowrap">{start}</td><td class="text-nowrap">{self.end_text}</td>'
            f"<td>{self.predecessors_text}</td>"
            f'<td class="text-end text-nowrap">{self.slack_text}</td><td>{critical}</td></tr>'
        )

    def describe(self, tz):
        self.start_text = f"{self.start.astimezone(tz):%a %H:%M}"
        self.end_text = f"{self.end.astimezone(tz):%a %H:%M}"
        self.waiting_text = format_minutes(self.waiting) if self.waiting else ""
        self.slack_text = format_minutes(self.slack)
        self.duration_text = format_minutes(self.step.duration_minutes)
        self.predecessors_text = ", ".join(map(str, self.predecessors))
        return self


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


def _members(project):
    """({user id: name} of the active members, the stakeholder roles someone signs as)."""
    names, held = {}, set()
    for user_id, full_name, email, role, roles in Membership.objects.filter(
        project=project, user__is_active=True
    ).values_list("user_id", "user__full_name", "user__email", "role", "signoff_roles"):
        names[user_id] = full_name or email
        if role == Role.VIEWER:
            continue
        held.update(roles or ())
        if role == Role.PROJECT_MANAGER:
            held.add(SignoffRole.PROJECT_MANAGER)
    return names, held


def _lines(steps, schedule, predecessors, tz):
    critical = schedule.critical
    return [
        RunSheetLine(
            step=step,
            start=schedule.start[step.pk],
            end=schedule.end[step.pk],
            slack=schedule.slack[step.pk],
            critical=step.pk in critical,
            waiting=schedule.waiting.get(step.pk, 0),
            predecessors=predecessors.get(step.pk, []),
        ).describe(tz)
        for step in steps
    ]


def plan_view(access, version):
    """The plan page's data for ``version`` (a version of the viewer's project)."""
    plan = version.plan
    tz = version.tz
    versions = getattr(version, "all_versions", None) or list(
        plan.versions.order_by("-number").select_related("created_by")
    )
    names, held = _members(access.project)
    steps = step_rows(version, names)
    predecessors, edges = _links(version, {step.pk: step.number for step in steps})
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
        view.lines = _lines(forward, schedule, predecessors, tz)
        view.critical_minutes = schedule.duration_minutes
        times = {line.step.pk: (line.start_text, line.end_text) for line in view.lines}
        view.timeline = build_timeline(forward, schedule, version, fit=view.fit, times=times)
    rollback_start = version.rollback_deadline or version.window_start
    try:
        rollback_schedule = _schedule(rollback, edges, rollback_start)
    except CycleError:
        rollback_schedule = None
    if rollback_schedule is not None:
        view.rollback_lines = _lines(rollback, rollback_schedule, predecessors, tz)
        view.rollback_minutes = rollback_schedule.duration_minutes
        view.rollback_end = rollback_schedule.planned_end
        if rollback and version.rollback_deadline:
            view.rollback_fit = window_fit(
                planned_end=rollback_schedule.planned_end, window_end=version.window_end,
                buffer_minutes=0,
            )  # fmt: skip
    link = UrlTemplate("cutover:step_edit", access.project.pk)
    editable = version.status != PlanStatus.SUPERSEDED
    editor = editable and permissions.can_edit_cutover_plan(access)
    me = access.user.pk
    for line in chain(view.lines, view.rollback_lines):
        step = line.step
        line.url = link.fill(step.pk)
        line.linked = editor or (editable and me in (step.owner_id, step.backup_owner_id))
        line.ponr = step.pk == version.point_of_no_return_step_id
    records = list(version.signoffs.select_related("signer").order_by("created_at", "pk"))
    view.signoffs = records
    view.signoff_state = plan_signoff_state(plan, records)
    labels = dict(SignoffRole.choices)
    view.awaited_roles = [labels.get(role, role) for role in view.signoff_state.awaited_roles]
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
