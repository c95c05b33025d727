"""The geometry of the plan's Gantt timeline, drawn as SVG on the server (no database).

The page and the PDF include the same template (``cutover/includes/_timeline.svg.html``)
with a ``Timeline`` from here: bars per step of the forward plan (critical path steps
marked), diamonds for checkpoints and milestones, the window's close, the buffer before it,
the point of no return and the rollback deadline. The drawing has a fixed scale and is
wider than a phone: the page scrolls it inside its box.
"""

import datetime
from dataclasses import dataclass, field

from cutover.schedule import format_minutes

TICK_HOURS = (1, 2, 3, 6, 12, 24, 48)
MAX_TICKS = 14


@dataclass
class Bar:
    number: int
    title: str
    x: float
    y: float
    width: float
    critical: bool
    checkpoint: bool
    milestone: bool
    label: str

    @property
    def diamond(self):
        """The points of a checkpoint's or milestone's diamond at the bar's end."""
        cx, cy, r = self.x + self.width, self.y + 6, 6
        return f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"


@dataclass
class Marker:
    x: float
    label: str
    css: str


@dataclass
class Timeline:
    width: int
    height: int
    left: int
    top: int
    row_height: int
    chart_width: int
    bars: list = field(default_factory=list)
    ticks: list = field(default_factory=list)  # (x, label)
    markers: list = field(default_factory=list)
    window_end_x: float = 0
    buffer_x: float = 0
    title: str = "Cutover timeline"
    description: str = ""

    @property
    def bottom(self):
        return self.height - 4

    @property
    def buffer_width(self):
        return round(max(self.window_end_x - self.buffer_x, 0), 1)


def _tick_hours(span_hours):
    for hours in TICK_HOURS:
        if span_hours / hours <= MAX_TICKS:
            return hours
    return TICK_HOURS[-1]


def build_timeline(
    steps, schedule, version, *, fit=None, chart_width=880, row_height=18, left=44, top=34
):
    """``steps`` of the forward plan in run sheet order; ``schedule`` their computed times."""
    tz = version.tz
    start = version.window_start.astimezone(datetime.UTC)
    planned_end = schedule.planned_end.astimezone(datetime.UTC)
    finish = max(version.window_end.astimezone(datetime.UTC), planned_end)
    span_minutes = max((finish - start).total_seconds() / 60, 60) * 1.02
    scale = chart_width / span_minutes

    def x_of(moment):
        return round(
            left + (moment.astimezone(datetime.UTC) - start).total_seconds() / 60 * scale, 1
        )

    critical = schedule.critical
    bars = []
    for row, step in enumerate(steps):
        begin, end = schedule.start[step.pk], schedule.end[step.pk]
        label = (
            f"Step {step.number}: {step.title}, {begin.astimezone(tz):%a %H:%M} to "
            f"{end.astimezone(tz):%a %H:%M} ({format_minutes(step.duration_minutes)})"
            + ("; on the critical path" if step.pk in critical else "")
            + ("; checkpoint" if step.is_checkpoint else "")
        )
        x = x_of(begin)
        bars.append(
            Bar(
                number=step.number,
                title=step.title,
                x=x,
                y=top + row * row_height + 3,
                width=max(round(x_of(end) - x, 1), 0),
                critical=step.pk in critical,
                checkpoint=step.is_checkpoint,
                milestone=step.duration_minutes == 0,
                label=label,
            )
        )
    height = top + max(len(steps), 1) * row_height + 10
    hours = _tick_hours(span_minutes / 60)
    local_start = version.window_start.astimezone(tz)
    first = local_start.replace(minute=0, second=0, microsecond=0)
    ticks = []
    moment = first
    while moment.astimezone(datetime.UTC) <= finish:
        if (moment >= local_start and moment.hour % hours == 0) or moment == local_start:
            ticks.append((x_of(moment), moment.strftime("%a %H:%M")))
        moment = (moment.astimezone(datetime.UTC) + datetime.timedelta(hours=1)).astimezone(tz)
    markers = []
    if version.point_of_no_return_step_id and version.point_of_no_return_step_id in schedule.start:
        markers.append(
            Marker(
                x_of(schedule.start[version.point_of_no_return_step_id]),
                "Point of no return",
                "ponr",
            )
        )
    elif version.point_of_no_return_at:
        markers.append(Marker(x_of(version.point_of_no_return_at), "Point of no return", "ponr"))
    if version.rollback_deadline:
        markers.append(Marker(x_of(version.rollback_deadline), "Rollback deadline", "deadline"))
    overruns = fit is not None and fit.kind == "overruns"
    markers.append(Marker(x_of(planned_end), "Planned end", "overrun" if overruns else "end"))
    window_end_x = x_of(version.window_end)
    buffer_start = version.window_end - datetime.timedelta(minutes=version.buffer_minutes)
    description = (
        f"{len(steps)} steps from {local_start:%a %d %b %H:%M} ({version.time_zone}); "
        f"planned end {planned_end.astimezone(tz):%a %H:%M}, window closes "
        f"{version.window_end.astimezone(tz):%a %H:%M}"
        + (f"; the plan {fit.sentence}" if fit else "")
        + f". {len(critical)} steps on the critical path."
    )
    return Timeline(
        width=left + chart_width + 40, height=height, left=left, top=top,
        row_height=row_height, chart_width=chart_width, bars=bars, ticks=ticks,
        markers=markers, window_end_x=window_end_x, buffer_x=max(x_of(buffer_start), left),
        description=description,
    )  # fmt: skip
