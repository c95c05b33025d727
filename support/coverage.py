"""Who covers which hours: the gaps in each support line's cover, without the database.

Hours are typed in the plan's time zone as (start, end) times of a day: an end at or before
the start crosses midnight into the next day, and an end equal to the start is 24 hours
(00:00-00:00 is the whole day). A line's hours on a date are its exception rows for that
date when it has any (none at all: closed that date), otherwise its weekly rows for that
weekday. A period (the cutover window, the hypercare weeks) requires cover either for its
whole length or on a weekly schedule of its own; a line's gaps are the required hours it
does not cover, merged, in UTC, and told in the plan's time zone. Every local time is
turned into UTC through ``zoneinfo``, so a day of 23 or 25 hours at a clock change counts
right.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
DASH = "\u2013"  # an en dash, as in the sentences people read
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Hours:
    """One stretch of cover starting on a day: ``end`` at or before ``start`` ends the next day."""

    start: datetime.time
    end: datetime.time

    @property
    def crosses_midnight(self):
        return self.end <= self.start

    @property
    def label(self):
        if self.start == self.end:
            return "24h" if self.start == datetime.time(0) else f"{self.start:%H:%M} (24h)"
        return f"{self.start:%H:%M}{DASH}{self.end:%H:%M}"


@dataclass(frozen=True)
class LineSchedule:
    """A support line's hours: ``weekly`` maps a weekday (0 = Monday) to its rows;
    ``exceptions`` maps a date to the rows that replace that day's (empty: closed)."""

    name: str
    weekly: dict = field(default_factory=dict)
    exceptions: dict = field(default_factory=dict)

    def hours_on(self, day):
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True)
class Period:
    """A stretch that needs cover: ``required`` None for all of it, or weekly rows."""

    name: str
    start: datetime.datetime
    end: datetime.datetime
    required: dict | None = None


@dataclass(frozen=True)
class Gap:
    line: str
    period: str
    start: datetime.datetime  # local, in the plan's time zone
    end: datetime.datetime

    @property
    def hours(self):
        return (self.end - self.start).total_seconds() / 3600

    @property
    def span(self):
        """ "Saturday 02:00-08:00", "Saturday 18:00-Monday 08:00", "Friday 18:00-24:00"."""
        start, end = self.start, self.end
        first = f"{DAY_NAMES[start.weekday()]} {start:%H:%M}"
        if end.date() == start.date():
            return f"{first}{DASH}{end:%H:%M}"
        if end.date() == start.date() + DAY and end.time() == datetime.time(0):
            return f"{first}{DASH}24:00"
        return f"{first}{DASH}{DAY_NAMES[end.weekday()]} {end:%H:%M}"


@dataclass(frozen=True)
class Coverage:
    gaps: list  # every Gap, by line then time
    periods: list  # the Periods looked at

    @property
    def sentences(self):
        return gap_sentences(self.gaps)

    def gaps_of(self, line_name):
        return [gap for gap in self.gaps if gap.line == line_name]


def merge(intervals):
    """Sorted, overlapping or touching intervals joined."""
    merged = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(required, covered):
    """The parts of merged ``required`` intervals outside merged ``covered`` ones."""
    gaps = []
    index = 0
    for start, end in required:
        cursor = start
        while index < len(covered) and covered[index][1] <= cursor:
            index += 1
        probe = index
        while probe < len(covered) and covered[probe][0] < end:
            cover_start, cover_end = covered[probe]
            if cover_start > cursor:
                gaps.append((cursor, cover_start))
            cursor = max(cursor, cover_end)
            if cursor >= end:
                break
            probe += 1
        if cursor < end:
            gaps.append((cursor, end))
    return gaps


def _utc(day, moment, tz):
    return datetime.datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def _stretch(day, hours, tz):
    """(start, end) in UTC of ``hours`` starting on ``day``."""
    end_day = day + DAY if hours.crosses_midnight else day
    return _utc(day, hours.start, tz), _utc(end_day, hours.end, tz)


def intervals(hours_on, start, end, tz):
    """The merged UTC intervals between ``start`` and ``end`` that ``hours_on(date)`` covers.

    The day before ``start``'s local date is looked at too: its hours may cross midnight.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    day = start.astimezone(tz).date() - DAY
    last = end.astimezone(tz).date()
    found = []
    while day <= last:
        for hours in hours_on(day):
            begin, finish = _stretch(day, hours, tz)
            begin, finish = max(begin, start), min(finish, end)
            if begin < finish:
                found.append((begin, finish))
        day += DAY
    return merge(found)


def required_intervals(period, tz):
    if period.required is None:
        return [(period.start.astimezone(UTC), period.end.astimezone(UTC))]
    weekly = period.required
    return intervals(lambda day: weekly.get(day.weekday(), ()), period.start, period.end, tz)


def line_gaps(line, period, tz, *, required=None):
    """The Gaps of ``line`` in ``period`` (``required``: the period's intervals, if known)."""
    required = required_intervals(period, tz) if required is None else required
    covered = intervals(line.hours_on, period.start, period.end, tz)
    return [
        Gap(line.name, period.name, start.astimezone(tz), end.astimezone(tz))
        for start, end in subtract(required, covered)
    ]


def coverage(lines, periods, time_zone):
    """Every line's gaps in every period, by line then time."""
    tz = ZoneInfo(time_zone)
    required = {period.name: required_intervals(period, tz) for period in periods}
    gaps = []
    for line in lines:
        for period in periods:
            gaps.extend(line_gaps(line, period, tz, required=required[period.name]))
    return Coverage(gaps=gaps, periods=list(periods))


def gap_sentences(gaps):
    """ "L2 has no cover Saturday 02:00-08:00 during cutover"; a gap that comes back every
    week is told once, with its count and first date."""
    grouped = defaultdict(list)
    for gap in gaps:
        grouped[(gap.line, gap.period, gap.span)].append(gap)
    sentences = []
    for (line, period, span), same in grouped.items():
        sentence = f"{line} has no cover {span} during {period}"
        if len(same) > 1:
            first = same[0].start
            sentence += f" ({len(same)} times, from {first.day} {first:%b})"
        sentences.append(sentence)
    return sentences


def hypercare_start(go_live_date, window_end, tz):
    """Hypercare starts on the go-live date (at midnight, local), else when the cutover
    window closes; None without either."""
    if go_live_date is not None:
        return datetime.datetime.combine(go_live_date, datetime.time(0), tzinfo=tz)
    if window_end is not None:
        return window_end.astimezone(tz)
    return None


def hypercare_end(start, weeks, tz):
    """``weeks`` calendar weeks later, at the same local time (a clock change in between
    does not shift it)."""
    local = start.astimezone(tz)
    naive = local.replace(tzinfo=None) + datetime.timedelta(weeks=weeks)
    return naive.replace(tzinfo=tz)


def days_of(period, tz):
    """The local dates ``period`` touches, in order."""
    day = period.start.astimezone(tz).date()
    last = (period.end.astimezone(tz) - datetime.timedelta(microseconds=1)).date()
    days = []
    while day <= last:
        days.append(day)
        day += DAY
    return days
