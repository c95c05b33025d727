"""Hours as people type them, one row a line: "Mon-Fri 08:00-18:00", "Sat,Sun 24h",
"daily 18:00-08:00" (an end at or before the start crosses midnight), and for exceptions
"2026-03-07 closed" or "2026-03-07 00:00-06:00". Pure: parse and format, no database."""

import datetime
import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = ("daily", "every day", "all", "mon-sun")
TIME = r"(\d{1,2}):(\d{2})"
SPAN = re.compile(rf"^{TIME}\s*[-\u2013]\s*{TIME}$")


class HoursTextError(ValueError):
    pass


def _time(hours, minutes, row):
    hours, minutes = int(hours), int(minutes)
    if hours == 24 and minutes == 0:
        return datetime.time(0)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise HoursTextError(f"“{row}”: {hours:02d}:{minutes:02d} is not a time of day.")
    return datetime.time(hours, minutes)


def _span(text, row):
    """(start, end) of "08:00-18:00" or "24h"; an end of 24:00 is midnight."""
    text = text.strip().lower()
    if text in ("24h", "24 h", "all day"):
        return datetime.time(0), datetime.time(0)
    match = SPAN.match(text)
    if not match:
        raise HoursTextError(f"“{row}”: write the hours as 08:00-18:00, or 24h.")
    start = _time(match[1], match[2], row)
    end = _time(match[3], match[4], row)
    return start, end


def _days(text, row):
    text = text.strip().lower()
    if text in EVERY_DAY:
        return list(range(7))
    days = []
    for part in text.split(","):
        part = part.strip()[:3] if "-" not in part else part.strip()
        if "-" in part:
            first, last = (piece.strip()[:3] for piece in part.split("-", 1))
            if first not in DAYS or last not in DAYS:
                raise HoursTextError(f"“{row}”: name days as Mon, Tue, … Sun (or Mon-Fri).")
            a, b = DAYS.index(first), DAYS.index(last)
            days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAYS:
            days.append(DAYS.index(part))
        else:
            raise HoursTextError(f"“{row}”: name days as Mon, Tue, … Sun (or Mon-Fri).")
    return sorted(set(days))


def _rows(text):
    return [row.strip() for row in (text or "").splitlines() if row.strip()]


def parse_weekly(text):
    """[(weekday, start, end), ...] from rows "Mon-Fri 08:00-18:00"."""
    parsed = []
    for row in _rows(text):
        days_text, _, span = row.rpartition(" ")
        if not days_text:
            raise HoursTextError(f"“{row}”: give the days, then the hours (Mon-Fri 08:00-18:00).")
        if span.lower() == "h" and days_text.lower().endswith(" 24"):  # "Sat 24 h"
            days_text, span = days_text[:-3], "24h"
        start, end = _span(span, row)
        parsed.extend((day, start, end) for day in _days(days_text, row))
    return parsed


def parse_exceptions(text):
    """[(date, start, end), ...] and the dates closed, from rows "2026-03-07 closed"."""
    hours, closed = [], []
    for row in _rows(text):
        date_text, _, rest = row.partition(" ")
        try:
            day = datetime.date.fromisoformat(date_text)
        except ValueError:
            raise HoursTextError(
                f"“{row}”: start with the date as 2026-03-07, then closed or the hours."
            ) from None
        rest = rest.strip()
        if rest.lower() == "closed":
            closed.append(day)
        else:
            start, end = _span(rest, row)
            hours.append((day, start, end))
    both = sorted({day for day, *_ in hours} & set(closed))
    if both:
        raise HoursTextError(f"{both[0].isoformat()} is both closed and open; keep one.")
    return hours, closed


def span_text(start, end):
    if start == end == datetime.time(0):
        return "24h"
    if end == datetime.time(0):
        return f"{start:%H:%M}-24:00"  # midnight at the end of the day reads as 24:00
    return f"{start:%H:%M}-{end:%H:%M}"


def format_weekly(rows):
    """Rows (weekday, start, end) back into text, days with the same hours joined."""
    by_span = {}
    for weekday, start, end in sorted(rows):
        by_span.setdefault((start, end), []).append(weekday)
    lines = []
    for (start, end), days in sorted(by_span.items(), key=lambda item: (item[1][0], item[0])):
        lines.append(f"{_days_text(days)} {span_text(start, end)}")
    return "\n".join(lines)


def _days_text(days):
    if len(days) == 7:
        return "Mon-Sun"
    groups, run = [], [days[0]]
    for day in days[1:]:
        if day == run[-1] + 1:
            run.append(day)
        else:
            groups.append(run)
            run = [day]
    groups.append(run)
    parts = [
        DAY_LABELS[g[0]] if len(g) == 1 else f"{DAY_LABELS[g[0]]}-{DAY_LABELS[g[-1]]}"
        for g in groups
    ]
    return ",".join(parts)


def format_exceptions(rows):
    """Rows (date, closed, start, end) back into text."""
    lines = []
    for day, closed, start, end in sorted(rows, key=lambda r: (r[0], r[2] or datetime.time(0))):
        lines.append(f"{day.isoformat()} closed" if closed else f"{day} {span_text(start, end)}")
    return "\n".join(lines)
