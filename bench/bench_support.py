"""The support plan's coverage calendar: every line's gaps over a 6-week hypercare.

- Coverage: ``support.coverage.coverage`` for 5 lines (each a weekly schedule with a
  night shift crossing midnight, and a few exceptions) over a cutover weekend and 6 weeks
  of hypercare (required cover: Mon-Sun 07:00-22:00), in Europe/London across the spring
  clock change; median of repeated runs.
- Floor, from the same run: the bare loop over the same days and hours, turning each
  stretch into UTC as the computation must, without clipping, merging or subtracting.

Target (issue 15): <= 50 ms.

Run: .venv/bin/python bench/bench_support.py
"""

import datetime
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_MS = 50
ZONE = "Europe/London"


def world():
    from support import coverage as cov

    tz = ZoneInfo(ZONE)
    hours = cov.Hours
    t = datetime.time
    go_live = datetime.date(2026, 3, 16)  # hypercare runs over the 29 March clock change
    friday = go_live - datetime.timedelta(days=3)
    lines = []
    for index in range(5):
        weekly = {
            day: (hours(t(8), t(18)), hours(t(18 + index % 3), t(2 + index))) for day in range(5)
        }
        weekly[5] = (hours(t(9), t(17)),)
        weekly[6] = (hours(t(10), t(14)),) if index % 2 else ()
        exceptions = {
            friday: (hours(t(8), t(0)),),
            friday + datetime.timedelta(days=1): (hours(t(0), t(2)), hours(t(8), t(0))),
            friday + datetime.timedelta(days=2): (hours(t(0), t(0)),),
            go_live + datetime.timedelta(days=11 + index): (),  # a day closed
            go_live + datetime.timedelta(days=20): (hours(t(6), t(23)),),
        }
        lines.append(cov.LineSchedule(f"L{index + 1}", weekly, exceptions))
    window = (
        datetime.datetime.combine(friday, t(18), tzinfo=tz),
        datetime.datetime.combine(go_live, t(6), tzinfo=tz),
    )
    start = cov.hypercare_start(go_live, window[1], tz)
    required = {day: (hours(t(7), t(22)),) for day in range(7)}
    periods = [
        cov.Period("cutover", *window),
        cov.Period("hypercare", start, cov.hypercare_end(start, 6, tz), required),
    ]
    return lines, periods


def _median_ms(work, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(repeats=50):
    from support import coverage as cov

    lines, periods = world()
    tz = ZoneInfo(ZONE)

    def compute():
        return cov.coverage(lines, periods, ZONE)

    def floor():
        stretches = 0
        for period in periods:
            day = period.start.astimezone(tz).date() - cov.DAY
            last = period.end.astimezone(tz).date()
            while day <= last:
                for line in lines:
                    for hours in line.hours_on(day):
                        cov._stretch(day, hours, tz)
                        stretches += 1
                day += cov.DAY
        return stretches

    result = compute()
    ms = _median_ms(compute, repeats)
    floor_ms = _median_ms(floor, repeats)
    return {
        "lines": len(lines), "hypercare_weeks": 6, "gaps": len(result.gaps),
        "sentences": len(result.sentences), "ms": round(ms, 2), "floor_ms": round(floor_ms, 2),
        "ratio": round(ms / floor_ms, 2) if floor_ms else None, "target_ms": TARGET_MS,
        "ok": ms <= TARGET_MS,
    }  # fmt: skip


def lines(figures):
    return [
        f"Support coverage, {figures['lines']} lines over a cutover weekend and "
        f"{figures['hypercare_weeks']} weeks of hypercare: {figures['ms']:.2f} ms "
        f"({figures['gaps']} gaps in {figures['sentences']} sentences; target <= "
        f"{figures['target_ms']} ms); floor, the bare loop over the same days and hours: "
        f"{figures['floor_ms']:.2f} ms ({figures['ratio']}x).",
        "OK" if figures["ok"] else "NOT OK",
    ]


def main():
    return common.report(run(), lines)


if __name__ == "__main__":
    sys.exit(main())
