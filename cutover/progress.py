"""Where a run stands: each step's status and actual times, and the run's expected finish.

Pure Python, no queries (the run sheet, the report, the live board and the tests share it).
``run_state(version_steps, edges, events)`` takes

- the steps (anything with ``pk`` or ``id``, ``duration_minutes`` or ``duration`` and
  ``fixed_start``; the forward plan, without the rollback steps),
- the dependencies as (predecessor id, successor id) pairs,
- the run's events (``StepEvent`` rows or anything with ``id``, ``step_id``, ``kind``,
  ``at`` and ``corrects_id``), in any order,

and, by keyword, where the plan is anchored: ``window_start`` (the live cutover: the
window's opening; a rehearsal: when it started, so a rehearsal on a Tuesday is measured
against a window of the same length), ``window_minutes`` and ``buffer_minutes``, and
``now`` (None for a run that is over: nothing runs on, every time is actual).

- A step's actual start is its first "started" event; its actual end its last "done",
  "failed" or "skipped"; a correction replaces its event's time (the latest correction wins).
- Drift is the step's actual duration against its planned one (minutes; positive is
  longer); a running step drifts once it passes its planned duration. ``late_by`` is its
  end against its planned end.
- The expected finish replays the plan from what happened: steps that ended keep their
  actual times, a running step ends at the later of now and its planned end, a failed one is
  run again from now, and every step not started starts when its predecessors end (and not
  before now) and takes its planned duration. The actual critical path is the chain that sets
  that finish.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cutover.schedule import (
    ScheduleStep,
    _graph,
    _topological_order,
    compute_schedule,
    format_minutes,
    window_fit,
)

WAITING = "waiting"
READY = "ready"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
SKIPPED = "skipped"

STATUS_LABELS = {
    WAITING: "Waiting",
    READY: "Ready",
    RUNNING: "Running",
    DONE: "Done",
    FAILED: "Failed",
    SKIPPED: "Skipped",
}
# A step whose successors may start.
COMPLETE = frozenset({DONE, SKIPPED})
# What each mark may follow (the services refuse the rest with a message).
ALLOWED = {
    "started": frozenset({READY, FAILED}),
    "done": frozenset({RUNNING}),
    "failed": frozenset({RUNNING}),
    "skipped": frozenset({WAITING, READY, FAILED}),
}


@dataclass
class StepState:
    step_id: object
    status: str = WAITING
    planned_start: datetime = None
    planned_end: datetime = None
    planned_minutes: int = 0
    fixed_start: datetime = None
    actual_start: datetime = None
    actual_end: datetime = None
    expected_start: datetime = None
    expected_end: datetime = None
    drift: int = 0  # minutes, actual duration minus planned (positive: took longer)
    late_by: int = 0  # minutes, actual (or expected) end minus planned end
    late: bool = False
    critical: bool = False  # on the actual critical path
    last_event_id: int = 0  # the version rule of a mark: the event the person saw

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def actual_minutes(self):
        if self.actual_start is None or self.actual_end is None:
            return None
        return _minutes((self.actual_end - self.actual_start).total_seconds())

    @property
    def late_text(self):
        if self.late_by > 0:
            return f"{format_minutes(self.late_by)} late"
        if self.late_by < 0:
            return f"{format_minutes(-self.late_by)} early"
        return "on time"

    @property
    def drift_text(self):
        if not self.drift:
            return "on time"
        sign = "+" if self.drift > 0 else "\N{MINUS SIGN}"
        return f"{sign}{format_minutes(abs(self.drift))}"


@dataclass
class RunState:
    steps: dict = field(default_factory=dict)  # id -> StepState
    window_start: datetime = None
    window_end: datetime = None
    buffer_minutes: int = 0
    planned_end: datetime = None
    expected_finish: datetime = None
    critical_path: list = field(default_factory=list)  # ids, first to last (actual)
    late: list = field(default_factory=list)  # ids of late steps, run sheet order
    fit: object = None  # schedule.Fit of the expected finish against the window
    counts: dict = field(default_factory=dict)  # status -> number of steps

    @property
    def fits_with_buffer(self):
        return bool(self.fit and self.fit.fits_with_buffer)

    @property
    def duration_minutes(self):
        """From the anchor (the run's start) to the expected (or actual) finish."""
        if self.expected_finish is None:
            return 0
        return _minutes((self.expected_finish - self.window_start).total_seconds())

    @property
    def finished_steps(self):
        return sum(self.counts.get(status, 0) for status in COMPLETE)

    def __getitem__(self, step_id):
        return self.steps[step_id]


def _minutes(seconds):
    return int(seconds // 60)


def _key(step):
    return step.pk if hasattr(step, "pk") else step.id


def _duration(step):
    value = getattr(step, "duration_minutes", None)
    return int(value if value is not None else step.duration)


def effective_times(events):
    """{event id: its time}, each correction applied (the latest recorded one wins)."""
    at = {event.id: event.at for event in events if event.kind != "corrected"}
    for event in sorted((e for e in events if e.kind == "corrected"), key=_recorded):
        if event.corrects_id in at:
            at[event.corrects_id] = event.at
    return at


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _recorded(event):
    return (getattr(event, "recorded_at", None) or EARLIEST, event.id)


def _replay(state, step_events, times):
    """Status and actual times of one step from its own events, in the order recorded."""
    for event in step_events:
        at = times[event.id]
        state.last_event_id = max(state.last_event_id, event.id)
        if event.kind == "started":
            state.status = RUNNING
            if state.actual_start is None:
                state.actual_start = at
            state.actual_end = None
        elif event.kind in (DONE, FAILED, SKIPPED):
            state.status = event.kind
            state.actual_end = at
            if state.actual_start is None and event.kind == SKIPPED:
                state.actual_start = at


def run_state(
    version_steps,
    edges,
    events,
    *,
    window_start=None,
    window_minutes=None,
    buffer_minutes=0,
    now=None,
):
    """See the module's docstring. Raises schedule.CycleError on a loop (the services refuse
    one, so only a hand-edited database gets there)."""
    steps = list(version_steps)
    events = list(events)
    times = effective_times(events)
    if window_start is None:
        window_start = min(times.values(), default=None) or now or datetime.now(UTC)
    planned = compute_schedule(
        [ScheduleStep(_key(step), _duration(step), step.fixed_start) for step in steps],
        edges,
        window_start=window_start,
    )
    state = RunState(window_start=planned.window_start, buffer_minutes=buffer_minutes)
    state.planned_end = planned.planned_end
    by_step = {}
    for event in sorted((e for e in events if e.kind != "corrected"), key=_recorded):
        by_step.setdefault(event.step_id, []).append(event)
    for step in steps:
        key = _key(step)
        step_state = StepState(
            step_id=key,
            planned_start=planned.start[key],
            planned_end=planned.end[key],
            planned_minutes=_duration(step),
            fixed_start=step.fixed_start,
        )
        _replay(step_state, by_step.get(key, ()), times)
        state.steps[key] = step_state
    ids = [_key(step) for step in steps]
    successors, predecessors = _graph(ids, edges)
    for key in ids:
        step_state = state.steps[key]
        if step_state.status == WAITING and all(
            state.steps[before].status in COMPLETE for before in predecessors[key]
        ):
            step_state.status = READY
    _project(state, ids, predecessors, successors, now)
    for key in ids:
        _measure(state.steps[key], now)
    state.late = [key for key in ids if state.steps[key].late]
    state.counts = {}
    for step_state in state.steps.values():
        state.counts[step_state.status] = state.counts.get(step_state.status, 0) + 1
    if window_minutes is not None and state.expected_finish is not None:
        state.window_end = state.window_start + timedelta(minutes=window_minutes)
        state.fit = window_fit(
            planned_end=state.expected_finish,
            window_end=state.window_end,
            buffer_minutes=buffer_minutes,
        )
    return state


def _project(state, ids, predecessors, successors, now):
    """The expected start and end of every step, the expected finish and the actual path."""
    order = _topological_order(ids, successors, predecessors)
    set_by = {}
    for key in order:
        step = state.steps[key]
        duration = timedelta(minutes=step.planned_minutes)
        before = max(predecessors[key], key=lambda k: state.steps[k].expected_end, default=None)
        ready_at = state.steps[before].expected_end if before is not None else state.window_start
        set_by[key] = before
        if step.status in (DONE, SKIPPED) or (step.status == FAILED and now is None):
            step.expected_start, step.expected_end = step.actual_start, step.actual_end
        elif step.status == RUNNING:
            step.expected_start = step.actual_start
            end = step.actual_start + duration
            step.expected_end = max(end, now) if now is not None else end
        else:
            start = max(ready_at, step.fixed_start or ready_at)
            if now is not None:
                start = max(start, now)
            step.expected_start, step.expected_end = start, start + duration
    if not order:
        state.expected_finish = state.window_start
        return
    last = max(ids, key=lambda k: state.steps[k].expected_end)
    state.expected_finish = state.steps[last].expected_end
    path = []
    while last is not None:
        path.append(last)
        last = set_by[last]
    path.reverse()
    state.critical_path = path
    for key in path:
        state.steps[key].critical = True


def _measure(step, now):
    """Drift, lateness."""
    if step.actual_start is not None and step.actual_end is not None:
        if step.status == SKIPPED and step.actual_start == step.actual_end:
            step.drift = 0
        else:
            step.drift = step.actual_minutes - step.planned_minutes
    elif step.status == RUNNING and now is not None:
        elapsed = _minutes((now - step.actual_start).total_seconds())
        step.drift = max(0, elapsed - step.planned_minutes)
    end = step.actual_end if step.status in (DONE, SKIPPED, FAILED) else step.expected_end
    if end is not None:
        step.late_by = _minutes((end - step.planned_end).total_seconds())
    if now is None:
        return
    if step.status == RUNNING:
        step.late = now > step.planned_end
    elif step.status == READY:
        step.late = now > step.planned_start


def anchor_of(run, version):
    """Where a run's plan starts: the window's opening for the live cutover, the moment a
    rehearsal started for a rehearsal (it is measured against a window of the same length)."""
    if run.kind == "live":
        return version.window_start
    return run.started_at


@dataclass(frozen=True)
class _Shifted:
    pk: object
    duration_minutes: int
    fixed_start: object


def state_of_run(run, version, steps, edges, events, *, now):
    """``run_state`` for a run of ``version``; ``now`` is ignored once the run is over. A
    rehearsal moves the steps' fixed starts with the plan (Sunday 06:00 of the window is as
    long after a rehearsal's start as it is after the window's opening)."""
    anchor = anchor_of(run, version)
    shift = anchor - version.window_start
    if shift:
        steps = [
            _Shifted(
                _key(step), _duration(step), step.fixed_start + shift if step.fixed_start else None
            )
            for step in steps
        ]
    return run_state(
        steps,
        edges,
        events,
        window_start=anchor,
        window_minutes=version.window_minutes,
        buffer_minutes=version.buffer_minutes,
        now=now if run.status == "running" else None,
    )
