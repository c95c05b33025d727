"""When each step of a cutover plan runs: a forward pass over the dependency graph.

Pure Python; ``compute_schedule`` touches no database, so the plan page, the PDF, the
benchmark and the tests share it. Steps come in as anything with ``id``, ``duration``
(minutes) and ``fixed_start`` (an aware datetime or None); dependencies as
(predecessor id, successor id) pairs.

- A step starts at the latest of: the window's opening, the ends of its predecessors, its
  fixed start. It ends ``duration`` minutes later.
- The planned end is the latest end.
- The critical path is the chain that sets the planned end: from the step that ends last,
  walk back through whatever set each start (the predecessor that ended last, or the fixed
  start, or the window's opening, where the chain begins).
- Slack is how long a step could slip without moving the planned end (latest start minus
  earliest start, from a backward pass).

Times are kept as whole seconds after the window opens while computing, and datetimes are
made once at the end, in UTC: Python adds and subtracts datetimes of one time zone on the
wall clock, which is an hour off across a change to or from summer time.
"""

import math
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, timedelta

ScheduleStep = namedtuple("ScheduleStep", "id duration fixed_start")

WINDOW = "window"
FIXED = "fixed"


class CycleError(ValueError):
    """The dependencies loop; ``cycle`` is the loop's step ids, first one repeated at the end."""

    def __init__(self, cycle):
        self.cycle = list(cycle)
        super().__init__(" → ".join(str(step_id) for step_id in self.cycle))


def describe_cycle(cycle, label):
    """ "Step 12 → 14 → 12" for a cycle of ids, with ``label`` giving each id's step number."""
    return "Step " + " → ".join(str(label(step_id)) for step_id in cycle)


def _graph(ids, edges):
    successors = {step_id: [] for step_id in ids}
    predecessors = {step_id: [] for step_id in ids}
    for before, after in edges:
        if before in successors and after in successors:
            successors[before].append(after)
            predecessors[after].append(before)
    return successors, predecessors


def _topological_order(ids, successors, predecessors):
    """Kahn's algorithm; raises CycleError naming one cycle when there is one."""
    waiting = {step_id: len(predecessors[step_id]) for step_id in ids}
    ready = [step_id for step_id in ids if not waiting[step_id]]
    order = []
    while ready:
        step_id = ready.pop()
        order.append(step_id)
        for after in successors[step_id]:
            waiting[after] -= 1
            if not waiting[after]:
                ready.append(after)
    if len(order) < len(ids):
        raise CycleError(_a_cycle({i for i, count in waiting.items() if count}, predecessors))
    return order


def _a_cycle(stuck, predecessors):
    """One cycle among the steps left over by Kahn's algorithm (each has a stuck predecessor).

    Walk back from the smallest one until a step repeats; the loop is from there. Returned
    in the forward direction, starting and ending at its smallest id.
    """
    step_id = min(stuck, key=_sort_key)
    seen = {}
    path = []
    while step_id not in seen:
        seen[step_id] = len(path)
        path.append(step_id)
        step_id = min((p for p in predecessors[step_id] if p in stuck), key=_sort_key)
    loop = list(reversed(path[seen[step_id] :]))
    first = loop.index(min(loop, key=_sort_key))
    loop = loop[first:] + loop[:first]
    return [*loop, loop[0]]


def _sort_key(value):
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def find_cycle(ids, edges):
    """The ids of one cycle (first repeated at the end), or None when the graph has none."""
    ids = list(ids)
    successors, predecessors = _graph(ids, edges)
    try:
        _topological_order(ids, successors, predecessors)
    except CycleError as error:
        return error.cycle
    return None


def path_exists(edges, start, goal):
    """Whether ``goal`` can be reached from ``start`` along ``edges`` (for one new edge:
    adding goal -> start closes a cycle exactly when this is true). Returns the path or None."""
    successors = {}
    for before, after in edges:
        successors.setdefault(before, []).append(after)
    came_from = {start: None}
    stack = [start]
    while stack:
        step_id = stack.pop()
        if step_id == goal:
            path = [goal]
            while came_from[path[-1]] is not None:
                path.append(came_from[path[-1]])
            return list(reversed(path))
        for after in successors.get(step_id, ()):
            if after not in came_from:
                came_from[after] = step_id
                stack.append(after)
    return None


@dataclass
class Schedule:
    window_start: object
    start: dict = field(default_factory=dict)  # id -> aware datetime
    end: dict = field(default_factory=dict)
    slack: dict = field(default_factory=dict)  # id -> minutes
    set_by: dict = field(default_factory=dict)  # id -> WINDOW, FIXED or the predecessor's id
    waiting: dict = field(default_factory=dict)  # id -> minutes spent waiting for a fixed start
    order: list = field(default_factory=list)  # a topological order
    critical_path: list = field(default_factory=list)  # ids, first to last
    planned_end: object = None

    @property
    def critical(self):
        return frozenset(self.critical_path)

    @property
    def duration_minutes(self):
        return _minutes((self.planned_end - self.window_start).total_seconds())


def _minutes(seconds):
    return int(seconds // 60)


def compute_schedule(steps, edges, *, window_start):
    """Plan every step: see the module's docstring. Raises CycleError on a loop."""
    steps = list(steps)
    window_start = window_start.astimezone(UTC)
    ids = [step.id for step in steps]
    successors, predecessors = _graph(ids, edges)
    order = _topological_order(ids, successors, predecessors)
    duration = {step.id: int(step.duration) * 60 for step in steps}
    fixed = {
        step.id: math.ceil((step.fixed_start.astimezone(UTC) - window_start).total_seconds())
        for step in steps
        if step.fixed_start is not None
    }
    start, end, set_by, waiting = {}, {}, {}, {}
    for step_id in order:
        earliest, by = 0, WINDOW
        for before in predecessors[step_id]:
            # The predecessor that ends last sets the start (the first of equals; a
            # predecessor ending as the window opens still counts, so the chain goes on).
            if end[before] > earliest or (end[before] == earliest and by == WINDOW):
                earliest, by = end[before], before
        if step_id in fixed and fixed[step_id] > earliest:
            waiting[step_id] = _minutes(fixed[step_id] - earliest)
            earliest, by = fixed[step_id], FIXED
        start[step_id], set_by[step_id] = earliest, by
        end[step_id] = earliest + duration[step_id]
    finish = max(end.values(), default=0)
    # Backward pass: the latest each step may end without moving the planned end.
    latest_end = {}
    for step_id in reversed(order):
        latest_end[step_id] = min(
            (latest_end[after] - duration[after] for after in successors[step_id]), default=finish
        )
    path = []
    if order:
        # The step that ends last (the first of equals in the order the steps came in).
        step_id = max(ids, key=end.__getitem__)
        while True:
            path.append(step_id)
            by = set_by[step_id]
            if by in (WINDOW, FIXED):
                break
            step_id = by
        path.reverse()
    schedule = Schedule(window_start=window_start, order=order, critical_path=path)
    for step_id in order:
        schedule.start[step_id] = window_start + timedelta(seconds=start[step_id])
        schedule.end[step_id] = window_start + timedelta(seconds=end[step_id])
        schedule.slack[step_id] = _minutes(latest_end[step_id] - end[step_id])
    schedule.set_by = set_by
    schedule.waiting = waiting
    schedule.planned_end = window_start + timedelta(seconds=finish)
    return schedule


# --- The planned end against the window ---------------------------------------------


FITS = "fits"
TIGHT = "tight"
OVERRUNS = "overruns"


@dataclass(frozen=True)
class Fit:
    kind: str  # FITS, TIGHT (fits but eats into the buffer) or OVERRUNS
    spare_minutes: int  # window end minus planned end (negative when it overruns)
    buffer_minutes: int

    @property
    def sentence(self):
        if self.kind == OVERRUNS:
            return f"overruns by {format_minutes(-self.spare_minutes)}"
        if self.kind == TIGHT:
            return (
                f"fits, but leaves {format_minutes(self.spare_minutes)} of the "
                f"{format_minutes(self.buffer_minutes)} buffer"
            )
        return f"fits with {format_minutes(self.spare_minutes)} to spare"

    @property
    def fits_with_buffer(self):
        return self.kind == FITS


def window_fit(*, planned_end, window_end, buffer_minutes):
    spare = math.floor(
        (window_end.astimezone(UTC) - planned_end.astimezone(UTC)).total_seconds() / 60
    )
    if spare < 0:
        kind = OVERRUNS
    elif spare < buffer_minutes:
        kind = TIGHT
    else:
        kind = FITS
    return Fit(kind=kind, spare_minutes=spare, buffer_minutes=buffer_minutes)


def format_minutes(minutes):
    """ "2 h 10 min", "45 min", "3 h", "0 min"."""
    minutes = int(minutes)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if not hours:
        return f"{sign}{rest} min"
    if not rest:
        return f"{sign}{hours} h"
    return f"{sign}{hours} h {rest} min"
