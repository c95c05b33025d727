"""The geometry of the plan's Gantt timeline, drawn as SVG on the server (no database).

The page and the PDF include the same template (``cutover/includes/_timeline.svg.html``)
with a ``Timeline`` from here: bars per step of the forward plan (critical path steps
marked), diamonds for checkpoints and milestones, the window's close, the buffer before it,
the point of no return and the rollback deadline. The drawing has a fixed scale and is
wider than a phone: the page scrolls it inside its box.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from cutover.schedule import format_minutes

TICK_HOURS = (1, 2, 3, 6, 12, 24, 48)
MAX_TICKS = 14


CRITICAL_FILL = "#b02a37"
STEP_FILL = "#0d6efd"


@dataclass
class Bar:
    """One step's bar; everything the template writes is computed here (a plan of 300 steps
    draws 300 of them, and the template engine is slower than Python at arithmetic)."""

    number: int
    title: str
    x: float
    y: float
    width: float
    critical: bool
    checkpoint: bool
    milestone: bool
    label: str
    label_x: float = 0
    label_y: float = 0
    diamond: str = ""
    css: str = "tl-step"
    fill: str = STEP_FILL

    def __post_init__(self):
        cx, cy, r = round(self.x + self.width, 1), round(self.y + 6, 1), 6
        self.diamond = f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"
        self.label_y = round(self.y + 10, 1)
        if self.critical:
            self.css, self.fill = "tl-step tl-critical", CRITICAL_FILL

    @property
    def svg(self):
        """The bar's SVG group: its tooltip, its number, the bar or a milestone's diamond,
        and a checkpoint's diamond. Written here, not in the template: at 300 steps the
        template engine took longer over the bars than the rest of the page."""
        shape = (
            f'<polygon points="{self.diamond}" fill="#6c757d"/>'
            if self.milestone
            else f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="12" rx="2" '
            f'fill="{self.fill}"/>'
        )
        checkpoint = (
            f'<polygon points="{self.diamond}" fill="#fd7e14" stroke="#212529"/>'
            if self.checkpoint
            else ""
        )
        return (
            f'<g class="{self.css}"><title>{escape(self.label)}</title>'
            f'<text x="{self.label_x}" y="{self.label_y}" text-anchor="end" fill="#495057">'
            f"{self.number}</text>{shape}{checkpoint}</g>"
        )


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
    def bars_svg(self):
        return mark_safe("\n".join(bar.svg for bar in self.bars))  # noqa: S308 (escaped in Bar.svg)

    @property
    def buffer_width(self):
        return round(max(self.window_end_x - self.buffer_x, 0), 1)


def _tick_hours(span_hours):
    for hours in TICK_HOURS:
        if span_hours / hours <= MAX_TICKS:
            return hours
    return TICK_HOURS[-1]


def build_timeline(
    steps, schedule, version, *, fit=None, times=None, chart_width=880, row_height=18, left=44,
    top=34,
):  # fmt: skip
    """``steps`` of the forward plan in run sheet order; ``schedule`` their computed times;
    ``times`` their start and end as text by step pk, when the caller has them already."""
    tz = version.tz
    start = version.window_start.astimezone(datetime.UTC)
    planned_end = schedule.planned_end.astimezone(datetime.UTC)
    finish = max(version.window_end.astimezone(datetime.UTC), planned_end)
    span_minutes = max((finish - start).total_seconds() / 60, 60) * 1.02
    scale = chart_width / span_minutes

    def x_of(moment):
        # Aware datetimes subtract as elapsed time whatever their zone.
        return round(left + (moment - start).total_seconds() / 60 * scale, 1)

    def shown(moment):
        return f"{moment.astimezone(tz):%a %H:%M}"

    critical = schedule.critical
    bars = []
    for row, step in enumerate(steps):
        begin, end = schedule.start[step.pk], schedule.end[step.pk]
        begin_text, end_text = times[step.pk] if times else (shown(begin), shown(end))
        label = (
            f"Step {step.number}: {step.title}, {begin_text} to "
            f"{end_text} ({format_minutes(step.duration_minutes)})"
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
                label_x=left - 6,
            )
        )
    height = top + max(len(steps), 1) * row_height + 10
    hours = _tick_hours(span_minutes / 60)
    local_start = version.window_start.astimezone(tz)
    first = local_start.replace(minute=0, second=0, microsecond=0)
    ticks = []
    moment = first.astimezone(datetime.UTC)
    while moment <= finish:
        local = moment.astimezone(tz)
        if (local >= local_start and local.hour % hours == 0) or local == local_start:
            ticks.append((x_of(moment), f"{local:%a %H:%M}"))
        moment += datetime.timedelta(hours=1)
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
