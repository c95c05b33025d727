"""Reads of runs (rehearsals and the live cutover), scoped to the viewer's project and shaped
for the run sheet in run mode, the run report and the decision gate.

A page makes the same number of queries for 30 steps or 300: the run, the members' names,
the version's steps, the dependencies, the run's events and its findings are each one
query; where the state stands is computed in Python (``cutover.progress``). The trend
across rehearsals reads all the finished rehearsals' steps, dependencies and events in one
query each.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.cache import safe_cache
from core.http import UrlTemplate
from cutover.models import (
    CutoverRun,
    PlannedRehearsal,
    RehearsalInvitation,
    RunKind,
    RunStatus,
    Step,
    StepDependency,
    StepEvent,
    StepEventKind,
    StepFinding,
)
from cutover.progress import COMPLETE, RUNNING, WAITING, state_of_run
from cutover.schedule import format_minutes
from cutover.selectors import _members, step_rows
from projects import permissions


def runs_of(access):
    """The plan's runs, newest first, with their version and starter."""
    return list(
        CutoverRun.objects.filter(plan__project=access.project)
        .select_related("plan_version", "started_by")
        .order_by("-started_at", "-pk")
    )


def run_get(access, run_pk):
    """A run of the viewer's project; a 404 for anyone else's."""
    run = (
        CutoverRun.objects.filter(pk=run_pk, plan__project=access.project)
        .select_related("plan", "plan_version", "started_by")
        .first()
    )
    if run is None:
        raise Http404("No such run of the cutover plan.")
    run.plan.project = access.project
    run.plan_version.plan = run.plan
    return run


def event_get(run, event_pk):
    event = (
        StepEvent.objects.filter(pk=event_pk, run=run)
        .select_related("step", "by", "corrects")
        .first()
    )
    if event is None:
        raise Http404("No such record in this run.")
    event.run = run
    event.step.plan_version = run.plan_version
    return event


def step_of_run(run, step_pk):
    step = run.plan_version.steps.filter(pk=step_pk).select_related("owner", "backup_owner").first()
    if step is None:
        raise Http404("No such step in this run.")
    step.plan_version = run.plan_version
    return step


def _clock(moment, tz, pattern="%a %H:%M"):
    return moment.astimezone(tz).strftime(pattern) if moment is not None else ""


@dataclass
class EventLine:
    """A mark of a step as the history shows it: its time now, and its corrections."""

    pk: int
    kind: str
    label: str
    at: object  # the time now (the latest correction's, or the recorded one)
    recorded_at: object
    by: str
    note: str
    corrections: list = field(default_factory=list)  # EventLine of kind "corrected"
    original_at: object = None
    correct_url: str = ""
    at_text: str = ""
    original_text: str = ""
    recorded_text: str = ""

    def describe(self, tz):
        """The times as the page shows them ("Sat 22:05"), in the plan's time zone: written
        once here rather than by template filters, 300 rows times several times each."""
        self.at_text = _clock(self.at, tz)
        self.original_text = _clock(self.original_at, tz)
        self.recorded_text = _clock(self.recorded_at, tz)
        for correction in self.corrections:
            correction.describe(tz)
        return self


@dataclass
class RunRow:
    """One step of the run sheet in run mode."""

    step: object  # selectors.StepRow
    state: object  # progress.StepState
    events: list = field(default_factory=list)  # EventLine, in the order recorded
    findings: list = field(default_factory=list)  # (reference, title, url)
    can_record: bool = False  # may correct its times and raise findings
    can_mark: bool = False  # may mark it now (the run is running)
    mark_url: str = ""
    finding_url: str = ""
    planned_start_text: str = ""
    planned_end_text: str = ""
    actual_start_text: str = ""
    actual_end_text: str = ""
    expected_start_text: str = ""
    expected_end_text: str = ""

    def describe(self, tz):
        state = self.state
        self.expected_start_text = _clock(state.expected_start, tz)
        self.expected_end_text = _clock(state.expected_end, tz)
        self.planned_start_text = _clock(state.planned_start, tz)
        self.planned_end_text = _clock(state.planned_end, tz, "%H:%M")
        self.actual_start_text = _clock(state.actual_start, tz)
        self.actual_end_text = _clock(state.actual_end, tz, "%H:%M")
        for line in self.events:
            line.describe(tz)
        return self

    waits_for: list = field(default_factory=list)  # numbers of predecessors not yet complete

    @property
    def marks(self):
        """The marks that may follow now, as (kind, label, key); none while the step waits
        for its predecessors (the row says which)."""
        status = self.state.status
        if status == RUNNING:
            return [("done", "Done", "d"), ("failed", "Failed", "f")]
        if status in COMPLETE or status == WAITING:
            return []
        return [("started", "Start", "s"), ("skipped", "Skip", "x")]


@dataclass
class RunSheet:
    run: object
    version: object
    state: object
    rows: list
    now: object
    can_run: bool = False
    finding_count: int = 0
    successors: dict = field(default_factory=dict)  # step id -> {successor ids}

    @property
    def tz(self):
        return self.version.tz

    @property
    def late_rows(self):
        return [row for row in self.rows if row.state.late]

    @property
    def done_count(self):
        return self.state.finished_steps

    @property
    def expected_length(self):
        return format_minutes(self.state.duration_minutes)

    @property
    def window_length(self):
        return format_minutes(self.version.window_minutes)


def _event_lines(events, names, tz):
    """{step id: [EventLine]} with each correction under the mark it corrects."""
    lines, by_pk = {}, {}
    for event in events:
        if event.kind == StepEventKind.CORRECTED:
            continue
        line = EventLine(
            pk=event.pk, kind=event.kind, label=StepEventKind(event.kind).label, at=event.at,
            recorded_at=event.recorded_at, by=names.get(event.by_id) or "a former member",
            note=event.note, original_at=event.at,
        )  # fmt: skip
        by_pk[event.pk] = line
        lines.setdefault(event.step_id, []).append(line)
    for event in events:
        if event.kind != StepEventKind.CORRECTED or event.corrects_id not in by_pk:
            continue
        original = by_pk[event.corrects_id]
        original.corrections.append(
            EventLine(
                pk=event.pk,
                kind=event.kind,
                label="Corrected",
                at=event.at,
                recorded_at=event.recorded_at,
                by=names.get(event.by_id) or "a former member",
                note=event.note,
            )
        )
        original.at = event.at
    return lines


def _events(runs):
    return list(
        StepEvent.objects.filter(run__in=runs)
        .order_by("recorded_at", "pk")
        .only(
            "pk", "run_id", "step_id", "kind", "at", "by_id", "note", "corrects_id", "recorded_at"
        )
    )


def _edges(versions):
    edges = {}
    for version_id, before, after in StepDependency.objects.filter(
        plan_version__in=versions
    ).values_list("plan_version_id", "predecessor_id", "successor_id"):
        edges.setdefault(version_id, []).append((before, after))
    return edges


def run_sheet(access, run, *, now=None):
    """The run sheet in run mode: every forward step with its planned time, owner, status,
    marks (with their corrections) and findings, and where the run stands."""
    now = now or timezone.now()
    version = run.plan_version
    names, _ = _members(access.project)
    steps = [step for step in step_rows(version, names) if not step.is_rollback]
    edges = _edges([version]).get(version.pk, [])
    events = _events([run])
    state = state_of_run(run, version, steps, edges, events, now=now)
    history = _event_lines(events, names, version.tz)
    project_pk = access.project.pk
    risk_link = UrlTemplate("risks:risk_detail", project_pk)
    mark_link = UrlTemplate("cutover:step_mark", project_pk, run.pk)
    finding_link = UrlTemplate("cutover:step_finding", project_pk, run.pk)
    correct_link = UrlTemplate("cutover:event_correct", project_pk, run.pk)
    findings = {}
    for step_id, number, title, pk in StepFinding.objects.filter(run=run).values_list(
        "step_id", "risk__number", "risk__title", "risk_id"
    ):
        findings.setdefault(step_id, []).append((f"R-{number}", title, risk_link.fill(pk)))
    editor = permissions.can_edit_cutover_plan(access)
    me = access.user.pk
    open_run = run.status == RunStatus.RUNNING
    rows = [
        RunRow(
            step=step,
            state=state[step.pk],
            events=history.get(step.pk, []),
            findings=findings.get(step.pk, []),
            can_record=editor or (access.is_member and me in (step.owner_id, step.backup_owner_id)),
            mark_url=mark_link.fill(step.pk),
            finding_url=finding_link.fill(step.pk),
        )
        for step in steps
    ]
    tz = version.tz
    numbers = {step.pk: step.number for step in steps}
    predecessors = {}
    for before, after in edges:
        predecessors.setdefault(after, []).append(before)
    for row in rows:
        if row.state.status == WAITING:
            row.waits_for = sorted(
                numbers[before]
                for before in predecessors.get(row.step.pk, ())
                if before in numbers and state[before].status not in COMPLETE
            )
        row.describe(tz)
        for line in row.events:
            line.correct_url = correct_link.fill(line.pk)
        row.can_mark = open_run and row.can_record
    successors = {}
    for before, after in edges:
        successors.setdefault(before, set()).add(after)
    return RunSheet(
        run=run, version=version, state=state, rows=rows, now=now, successors=successors,
        can_run=permissions.can_run_cutover(access),
        finding_count=sum(len(row.findings) for row in rows),
    )  # fmt: skip


def run_row(access, run, step_pk, *, now=None):
    """One row of the run sheet (after a mark): the same computation, one row kept."""
    sheet = run_sheet(access, run, now=now)
    row = next((row for row in sheet.rows if row.step.pk == step_pk), None)
    if row is None:
        raise Http404("No such step in this run.")
    return sheet, row


def step_history(access, run, step):
    """The marks of one step in a run, each with its corrections (the correction page)."""
    names, _ = _members(access.project)
    events = list(StepEvent.objects.filter(run=run, step=step).order_by("recorded_at", "pk"))
    return _event_lines(events, names, run.plan_version.tz).get(step.pk, [])


# --- The report and the trend ------------------------------------------------------------


CHART_LEFT, CHART_WIDTH, CHART_ROW = 110, 390, 28


@dataclass
class TrendLine:
    run: object
    state: object
    version: object
    scale_minutes: int = 0
    index: int = 0

    def _x(self, minutes):
        if not self.scale_minutes:
            return CHART_LEFT
        return round(CHART_LEFT + CHART_WIDTH * max(minutes, 0) / self.scale_minutes, 1)

    @property
    def chart_y(self):
        return self.index * CHART_ROW

    @property
    def bar_width(self):
        return round(self._x(self.duration_minutes) - CHART_LEFT, 1)

    @property
    def buffer_x(self):
        return self._x(self.usable_minutes)

    @property
    def buffer_width(self):
        return round(self._x(self.window_minutes) - self.buffer_x, 1)

    @property
    def window_x(self):
        return self._x(self.window_minutes)

    @property
    def label_x(self):
        return max(self._x(self.duration_minutes), self.window_x) + 6

    @property
    def window_text(self):
        return format_minutes(self.window_minutes)

    @property
    def number(self):
        return self.run.number

    @property
    def duration_minutes(self):
        return self.state.duration_minutes

    @property
    def duration_text(self):
        return format_minutes(self.duration_minutes)

    @property
    def window_minutes(self):
        return self.version.window_minutes

    @property
    def usable_minutes(self):
        return self.window_minutes - self.version.buffer_minutes

    @property
    def sentence(self):
        return self.state.fit.sentence if self.state.fit else ""


def _rehearsal_states(runs):
    """[TrendLine] for ``runs`` (finished runs of the plan), in four queries at most."""
    if not runs:
        return []
    versions = {run.plan_version_id: run.plan_version for run in runs}
    steps = {}
    for step in Step.objects.filter(plan_version__in=list(versions), is_rollback=False).only(
        "pk", "plan_version_id", "duration_minutes", "fixed_start"
    ):
        steps.setdefault(step.plan_version_id, []).append(step)
    edges = _edges(list(versions))
    events = {}
    for event in _events(runs):
        events.setdefault(event.run_id, []).append(event)
    return [
        TrendLine(
            run=run,
            version=versions[run.plan_version_id],
            state=state_of_run(
                run,
                versions[run.plan_version_id],
                steps.get(run.plan_version_id, []),
                edges.get(run.plan_version_id, []),
                events.get(run.pk, []),
                now=None,
            ),
        )
        for run in runs
    ]


def finished_rehearsals(plan):
    return list(
        CutoverRun.objects.filter(plan=plan, kind=RunKind.REHEARSAL, status=RunStatus.FINISHED)
        .select_related("plan_version")
        .order_by("number")
    )


@dataclass
class Trend:
    lines: list

    @property
    def chart_height(self):
        return len(self.lines) * CHART_ROW


def rehearsal_trend(plan):
    """Every finished rehearsal of the plan, oldest first, measured for the table and the
    chart (bars on one scale: the longest rehearsal or window)."""
    lines = _rehearsal_states(finished_rehearsals(plan))
    scale = max((max(line.duration_minutes, line.window_minutes) for line in lines), default=0)
    for index, line in enumerate(lines):
        line.scale_minutes, line.index = scale, index
    return Trend(lines=lines)


@dataclass
class RunReport:
    sheet: RunSheet
    trend: Trend
    drifts: list  # RunRow, worst drift first (only steps with actual times)
    critical: list  # RunRow on the actual critical path, first to last
    not_run: list  # RunRow never finished

    @property
    def state(self):
        return self.sheet.state


def run_report(access, run):
    """The report of a run: the actual critical path against the window, each step's drift
    (worst first), and the trend across the plan's finished rehearsals."""
    sheet = run_sheet(access, run)
    measured = [row for row in sheet.rows if row.state.actual_minutes is not None]
    drifts = sorted(measured, key=lambda row: (-row.state.drift, row.step.number))
    by_id = {row.step.pk: row for row in sheet.rows}
    critical = [by_id[step_id] for step_id in sheet.state.critical_path]
    not_run = [row for row in sheet.rows if row.state.status not in COMPLETE]
    return RunReport(
        sheet=sheet, trend=rehearsal_trend(run.plan), drifts=drifts, critical=critical,
        not_run=not_run,
    )  # fmt: skip


# --- The decision gate -------------------------------------------------------------------


@dataclass(frozen=True)
class RehearsalFit:
    """The last finished rehearsal against the window and its buffer."""

    number: int
    fits: bool  # fits the window with the whole buffer to spare
    finished_at: object
    actual_end: object
    spare_minutes: int  # negative: the overrun
    buffer_minutes: int
    plan_version_number: int
    sentence: str


def rehearsal_fit(line):
    fit = line.state.fit
    spare = fit.spare_minutes
    if spare < 0:
        sentence = f"Rehearsal {line.number} overran the window by {format_minutes(-spare)}"
    elif fit.fits_with_buffer:
        sentence = f"Rehearsal {line.number} fits the window with {format_minutes(spare)} to spare"
    else:
        sentence = (
            f"Rehearsal {line.number} fits the window but leaves {format_minutes(spare)} of the "
            f"{format_minutes(fit.buffer_minutes)} buffer"
        )
    return RehearsalFit(
        number=line.number, fits=fit.fits_with_buffer, finished_at=line.run.ended_at,
        actual_end=line.state.expected_finish, spare_minutes=spare,
        buffer_minutes=fit.buffer_minutes, plan_version_number=line.version.number,
        sentence=sentence,
    )  # fmt: skip


def last_rehearsal_fits(project):
    """The last finished rehearsal of the project's plan against the window, or None.

    Cached: replaying a run costs more than the rest of the decision gate. The key names the
    run and its last event, so a correction or a later rehearsal is never served an old fit.
    """
    run = (
        CutoverRun.objects.filter(
            plan__project=project, kind=RunKind.REHEARSAL, status=RunStatus.FINISHED
        )
        .select_related("plan_version")
        .annotate(last_event=Max("events__pk"))
        .order_by("-number")
        .first()
    )
    if run is None:
        return None
    ended = run.ended_at.timestamp() if run.ended_at else 0
    key = f"cutover:rehearsal-fit:{run.pk}:{run.last_event}:{ended}"
    fit = safe_cache.get(key)
    if fit is None:
        (line,) = _rehearsal_states([run])
        fit = rehearsal_fit(line)
        safe_cache.set(key, fit, timeout=24 * 3600)
    return fit


def planned_rehearsals_of(access, *, now=None):
    """The plan's rehearsals booked from a day ago on (cancelled ones too), soonest first,
    each with ``sent`` (addresses mailed its current sequence) and ``refused``."""
    since = (now or timezone.now()) - datetime.timedelta(days=1)
    rehearsals = list(
        PlannedRehearsal.objects.filter(plan__project=access.project, starts_at__gte=since)
        .select_related("created_by", "cancelled_by")
        .order_by("starts_at", "pk")
    )
    counts = {}
    for rehearsal_id, sequence, sent_at in RehearsalInvitation.objects.filter(
        rehearsal__in=rehearsals
    ).values_list("rehearsal_id", "sequence", "sent_at"):
        counts.setdefault((rehearsal_id, sequence), [0, 0])[0 if sent_at else 1] += 1
    for rehearsal in rehearsals:
        rehearsal.sent, rehearsal.refused = counts.get((rehearsal.pk, rehearsal.sequence), (0, 0))
    return rehearsals


def planned_rehearsal_get(access, rehearsal_pk):
    """A planned rehearsal of the viewer's project; a 404 for anyone else's."""
    return get_object_or_404(
        PlannedRehearsal.objects.select_related("plan__project", "created_by"),
        pk=rehearsal_pk,
        plan__project=access.project,
    )
