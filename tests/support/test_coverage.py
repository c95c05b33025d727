"""Coverage gaps without the database: midnight, weekends, exceptions, time zones, DST."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from support import coverage as cov
from support.hours_text import HoursTextError, format_weekly, parse_exceptions, parse_weekly

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
H = cov.Hours
T = dt.time


def weekly(text):
    rows = {}
    for day, start, end in parse_weekly(text):
        rows.setdefault(day, []).append(H(start, end))
    return {day: tuple(hours) for day, hours in rows.items()}


def exceptions(text):
    hours, closed = parse_exceptions(text)
    rows = {day: [] for day in closed}
    for day, start, end in hours:
        rows.setdefault(day, []).append(H(start, end))
    return {day: tuple(r) for day, r in rows.items()}


def line(name, hours, exception_text=""):
    return cov.LineSchedule(name, weekly(hours), exceptions(exception_text))


# Friday 6 March 2026 18:00 to Monday 9 March 06:00, London (GMT, no clock change).
CUTOVER = cov.Period(
    "cutover", dt.datetime(2026, 3, 6, 18, tzinfo=LONDON), dt.datetime(2026, 3, 9, 6, tzinfo=LONDON)
)


def plain(text):
    """The en dash of the sentences as a hyphen, to compare with plain text."""
    return text.replace(cov.DASH, "-")


def sentences(lines, periods, zone="Europe/London"):
    return [plain(sentence) for sentence in cov.coverage(lines, periods, zone).sentences]


def test_round_the_clock_line_has_no_gap():
    assert sentences([line("L1", "Mon-Sun 24h")], [CUTOVER]) == []


def test_weekday_office_hours_leave_the_weekend_uncovered():
    gaps = sentences([line("L1", "Mon-Fri 08:00-18:00")], [CUTOVER])
    assert gaps == ["L1 has no cover Friday 18:00-Monday 06:00 during cutover"]


def test_schedule_crossing_midnight_covers_the_next_morning():
    # Nights 22:00-06:00 every day, days 06:00-14:00: 14:00-22:00 is open.
    lines = [line("L2", "Mon-Sun 22:00-06:00\nMon-Sun 06:00-14:00")]
    assert sentences(lines, [CUTOVER]) == [
        "L2 has no cover Friday 18:00-22:00 during cutover",
        "L2 has no cover Saturday 14:00-22:00 during cutover",
        "L2 has no cover Sunday 14:00-22:00 during cutover",
    ]


def test_night_shift_of_the_day_before_the_period_counts():
    # Friday's 12:00-02:00 runs past midnight into Saturday, where Saturday's own hours
    # start at 02:00: no hole at midnight.
    lines = [line("L2", "Fri 12:00-02:00\nSat 02:00-00:00\nSun 24h\nMon 00:00-06:00")]
    assert sentences(lines, [CUTOVER]) == []


def test_end_equal_to_start_is_a_whole_day_from_that_time():
    # 18:00-18:00 on Friday covers Friday 18:00 to Saturday 18:00.
    lines = [line("L3", "Fri 18:00-18:00")]
    assert sentences(lines, [CUTOVER]) == [
        "L3 has no cover Saturday 18:00-Monday 06:00 during cutover"
    ]


def test_weekend_gap_of_one_line_is_named_with_its_day_and_hours():
    l1 = line("L1", "Mon-Sun 24h")
    l2 = line("L2", "Mon-Sun 24h", "2026-03-07 00:00-02:00\n2026-03-07 08:00-24:00")
    assert sentences([l1, l2], [CUTOVER]) == ["L2 has no cover Saturday 02:00-08:00 during cutover"]


def test_exception_closed_replaces_the_weekly_hours():
    lines = [line("L1", "Mon-Sun 24h", "2026-03-08 closed")]
    assert sentences(lines, [CUTOVER]) == ["L1 has no cover Sunday 00:00-24:00 during cutover"]


def test_exception_opens_a_day_the_week_leaves_closed():
    lines = [line("L1", "Mon-Fri 24h", "2026-03-07 24h\n2026-03-08 24h")]
    assert sentences(lines, [CUTOVER]) == []


def test_exception_crossing_midnight_covers_into_the_next_day():
    # Weekly Friday only until 20:00; the exception runs Saturday 20:00 to Sunday 10:00.
    lines = [line("L1", "Fri 08:00-20:00\nSun 10:00-24:00\nMon 24h", "2026-03-07 20:00-10:00")]
    assert sentences(lines, [CUTOVER]) == [
        "L1 has no cover Friday 20:00-Saturday 20:00 during cutover"
    ]


def test_gaps_are_told_in_the_plans_time_zone():
    # The window in UTC: Saturday 7 March 03:00-13:00 UTC = 22:00 Friday - 08:00 Saturday in New York.
    period = cov.Period(
        "cutover",
        dt.datetime(2026, 3, 7, 3, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 7, 13, tzinfo=dt.UTC),
    )
    lines = [line("L2", "Mon-Sun 00:00-06:00")]
    assert sentences(lines, [period], "America/New_York") == [
        "L2 has no cover Friday 22:00-24:00 during cutover",
        "L2 has no cover Saturday 06:00-08:00 during cutover",
    ]
    # Told in London the same hours are other times.
    assert sentences(lines, [period], "Europe/London") == [
        "L2 has no cover Saturday 06:00-13:00 during cutover"
    ]


def test_spring_forward_day_is_23_hours_and_still_fully_covered():
    # London moves to BST on Sunday 29 March 2026 at 01:00.
    period = cov.Period(
        "hypercare",
        dt.datetime(2026, 3, 28, tzinfo=LONDON),
        dt.datetime(2026, 3, 31, tzinfo=LONDON),
    )
    result = cov.coverage([line("L1", "Mon-Sun 24h")], [period], "Europe/London")
    assert result.gaps == []
    covered = cov.intervals(lambda day: (H(T(0), T(0)),), period.start, period.end, LONDON)
    assert sum((b - a).total_seconds() for a, b in covered) == 71 * 3600


def test_office_hours_keep_their_local_time_across_the_clock_change():
    # Nights 18:00-08:00 cover; the 08:00-18:00 gap stays 08:00-18:00 local before and after.
    period = cov.Period(
        "hypercare",
        dt.datetime(2026, 3, 27, 8, tzinfo=LONDON),
        dt.datetime(2026, 3, 31, 8, tzinfo=LONDON),
    )
    result = cov.coverage([line("L2", "Mon-Sun 18:00-08:00")], [period], "Europe/London")
    spans = [plain(gap.span) for gap in result.gaps]
    assert spans == [
        "Friday 08:00-18:00",
        "Saturday 08:00-18:00",
        "Sunday 08:00-18:00",
        "Monday 08:00-18:00",
    ]
    before, after = result.gaps[0], result.gaps[-1]
    assert before.start.astimezone(dt.UTC).hour == 8  # GMT
    assert after.start.astimezone(dt.UTC).hour == 7  # BST


def test_fall_back_night_of_25_hours_is_covered_by_a_night_shift():
    # London returns to GMT on Sunday 25 October 2026 at 02:00 (01:00-02:00 happens twice).
    period = cov.Period(
        "cutover",
        dt.datetime(2026, 10, 24, 22, tzinfo=LONDON),
        dt.datetime(2026, 10, 25, 6, tzinfo=LONDON),
    )
    assert sentences([line("L2", "Sat 22:00-06:00")], [period]) == []
    assert sentences([line("L2", "Sat 22:00-02:00\nSun 03:00-06:00")], [period]) == [
        "L2 has no cover Sunday 02:00-03:00 during cutover"
    ]


def test_hypercare_requires_only_its_hours_and_repeats_are_counted():
    required = weekly("Mon-Fri 08:00-18:00")
    start = dt.datetime(2026, 3, 9, tzinfo=LONDON)  # a Monday
    period = cov.Period("hypercare", start, cov.hypercare_end(start, 2, LONDON), required)
    office = line("L1", "Mon-Fri 08:00-18:00")
    short = line("L3", "Mon-Fri 09:00-17:00")
    assert sentences([office], [period]) == []
    assert sentences([short], [period]) == [
        "L3 has no cover Monday 08:00-09:00 during hypercare (2 times, from 9 Mar)",
        "L3 has no cover Monday 17:00-18:00 during hypercare (2 times, from 9 Mar)",
        "L3 has no cover Tuesday 08:00-09:00 during hypercare (2 times, from 10 Mar)",
        "L3 has no cover Tuesday 17:00-18:00 during hypercare (2 times, from 10 Mar)",
        "L3 has no cover Wednesday 08:00-09:00 during hypercare (2 times, from 11 Mar)",
        "L3 has no cover Wednesday 17:00-18:00 during hypercare (2 times, from 11 Mar)",
        "L3 has no cover Thursday 08:00-09:00 during hypercare (2 times, from 12 Mar)",
        "L3 has no cover Thursday 17:00-18:00 during hypercare (2 times, from 12 Mar)",
        "L3 has no cover Friday 08:00-09:00 during hypercare (2 times, from 13 Mar)",
        "L3 has no cover Friday 17:00-18:00 during hypercare (2 times, from 13 Mar)",
    ]


def test_hypercare_weekend_requirement_flags_a_line_without_weekend_cover():
    required = weekly("Mon-Sun 08:00-18:00")
    start = dt.datetime(2026, 3, 9, tzinfo=LONDON)
    period = cov.Period("hypercare", start, cov.hypercare_end(start, 1, LONDON), required)
    assert sentences([line("L1", "Mon-Fri 08:00-18:00")], [period]) == [
        "L1 has no cover Saturday 08:00-18:00 during hypercare",
        "L1 has no cover Sunday 08:00-18:00 during hypercare",
    ]


def test_hypercare_starts_at_go_live_midnight_or_the_window_close():
    go_live = dt.date(2026, 3, 9)
    assert cov.hypercare_start(go_live, None, LONDON) == dt.datetime(2026, 3, 9, tzinfo=LONDON)
    closes = dt.datetime(2026, 3, 9, 6, tzinfo=dt.UTC)
    assert cov.hypercare_start(None, closes, LONDON) == closes
    assert cov.hypercare_start(None, None, LONDON) is None
    # Four weeks across the clock change end at the same local midnight.
    start = dt.datetime(2026, 3, 16, tzinfo=LONDON)
    end = cov.hypercare_end(start, 4, LONDON)
    assert (end.date(), end.hour) == (dt.date(2026, 4, 13), 0)
    assert end.utcoffset() == dt.timedelta(hours=1)


def test_merge_and_subtract():
    assert cov.merge([(3, 5), (1, 2), (2, 3), (7, 8), (7, 7)]) == [(1, 5), (7, 8)]
    assert cov.subtract([(0, 10)], [(1, 2), (4, 6), (9, 12)]) == [(0, 1), (2, 4), (6, 9)]
    assert cov.subtract([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert cov.subtract([(0, 10)], []) == [(0, 10)]


def test_days_of_a_period():
    assert cov.days_of(CUTOVER, LONDON) == [
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 7),
        dt.date(2026, 3, 8),
        dt.date(2026, 3, 9),
    ]


def test_hours_text_parses_and_formats():
    rows = parse_weekly("Mon-Fri 08:00-18:00\nSat,Sun 24h\nFri-Mon 22:00-06:00")
    assert (5, T(0), T(0)) in rows
    assert (0, T(22), T(6)) in rows
    assert (4, T(22), T(6)) in rows
    assert format_weekly(parse_weekly("Mon-Fri 08:00-18:00\nSat,Sun 24h")) == (
        "Mon-Fri 08:00-18:00\nSat-Sun 24h"
    )
    hours, closed = parse_exceptions("2026-03-07 closed\n2026-03-08 00:00-24:00")
    assert closed == [dt.date(2026, 3, 7)]
    assert hours == [(dt.date(2026, 3, 8), T(0), T(0))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon 25:00-26:00", "not a time of day"),
        ("Funday 08:00-18:00", "name days"),
        ("08:00-18:00", "give the days"),
        ("Mon eight to six", "08:00-18:00"),
    ],
)
def test_hours_text_refuses_what_it_cannot_read(text, message):
    with pytest.raises(HoursTextError, match=message):
        parse_weekly(text)


def test_exception_text_refuses_a_bad_date_and_a_date_both_closed_and_open():
    with pytest.raises(HoursTextError, match="start with the date"):
        parse_exceptions("7 March closed")
    with pytest.raises(HoursTextError, match="both closed and open"):
        parse_exceptions("2026-03-07 closed\n2026-03-07 08:00-12:00")
