"""The scheduling engine on graphs whose answers are known by hand."""

import datetime
import zoneinfo

import pytest

from cutover.schedule import (
    FIXED,
    WINDOW,
    CycleError,
    ScheduleStep,
    compute_schedule,
    describe_cycle,
    find_cycle,
    format_minutes,
    path_exists,
    window_fit,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
OPENS = datetime.datetime(2026, 3, 6, 18, 0, tzinfo=LONDON)  # a Friday


def at(minutes):
    return OPENS + datetime.timedelta(minutes=minutes)


def steps(*specs):
    """("A", 60) or ("A", 60, fixed minutes after the opening)."""
    return [
        ScheduleStep(spec[0], spec[1], at(spec[2]) if len(spec) > 2 else None) for spec in specs
    ]


def offsets(schedule, times):
    return {step_id: (time - OPENS).total_seconds() / 60 for step_id, time in times.items()}


def test_schedule_chain_runs_one_after_the_other():
    schedule = compute_schedule(
        steps(("A", 30), ("B", 60), ("C", 15)), [("A", "B"), ("B", "C")], window_start=OPENS
    )
    assert offsets(schedule, schedule.start) == {"A": 0, "B": 30, "C": 90}
    assert schedule.planned_end == at(105)
    assert schedule.critical_path == ["A", "B", "C"]
    assert schedule.slack == {"A": 0, "B": 0, "C": 0}


def test_schedule_parallel_branches_critical_path_is_the_longer_one():
    # A -> B (120) -> D ; A -> C (30) -> D
    schedule = compute_schedule(
        steps(("A", 10), ("B", 120), ("C", 30), ("D", 20)),
        [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")],
        window_start=OPENS,
    )
    assert offsets(schedule, schedule.start) == {"A": 0, "B": 10, "C": 10, "D": 130}
    assert schedule.critical_path == ["A", "B", "D"]
    assert schedule.slack["C"] == 90
    assert schedule.slack["B"] == 0
    assert schedule.set_by["D"] == "B"


def test_schedule_independent_steps_start_at_the_window_and_the_longest_is_critical():
    schedule = compute_schedule(steps(("A", 30), ("B", 45)), [], window_start=OPENS)
    assert offsets(schedule, schedule.start) == {"A": 0, "B": 0}
    assert schedule.critical_path == ["B"]
    assert schedule.slack == {"A": 15, "B": 0}
    assert schedule.set_by == {"A": WINDOW, "B": WINDOW}


def test_schedule_fixed_start_creates_waiting_and_cuts_the_critical_path():
    # A (60) -> B fixed at +180 (60) -> C (30): B waits 120 min; the chain starts at B.
    schedule = compute_schedule(
        steps(("A", 60), ("B", 60, 180), ("C", 30)), [("A", "B"), ("B", "C")], window_start=OPENS
    )
    assert offsets(schedule, schedule.start) == {"A": 0, "B": 180, "C": 240}
    assert schedule.waiting == {"B": 120}
    assert schedule.set_by["B"] == FIXED
    assert schedule.critical_path == ["B", "C"]
    assert schedule.slack == {"A": 120, "B": 0, "C": 0}
    assert schedule.planned_end == at(270)


def test_schedule_fixed_start_earlier_than_predecessors_has_no_effect():
    schedule = compute_schedule(steps(("A", 60), ("B", 30, 10)), [("A", "B")], window_start=OPENS)
    assert offsets(schedule, schedule.start) == {"A": 0, "B": 60}
    assert schedule.critical_path == ["A", "B"]
    assert schedule.waiting == {}


def test_schedule_fixed_start_on_a_branch_that_ends_last():
    # A (300) and B fixed at +400 (30): B ends last, so B alone is the critical path.
    schedule = compute_schedule(steps(("A", 300), ("B", 30, 400)), [], window_start=OPENS)
    assert schedule.critical_path == ["B"]
    assert schedule.planned_end == at(430)
    assert schedule.slack["A"] == 130


def test_schedule_diamond():
    # S -> (X 40 | Y 50) -> J ; J waits for the later one (Y).
    schedule = compute_schedule(
        steps(("S", 10), ("X", 40), ("Y", 50), ("J", 5)),
        [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J")],
        window_start=OPENS,
    )
    assert offsets(schedule, schedule.end) == {"S": 10, "X": 50, "Y": 60, "J": 65}
    assert schedule.critical_path == ["S", "Y", "J"]
    assert schedule.slack["X"] == 10


def test_schedule_milestone_of_zero_minutes():
    schedule = compute_schedule(steps(("M", 0), ("A", 30)), [("M", "A")], window_start=OPENS)
    assert schedule.start["A"] == OPENS
    assert schedule.critical_path == ["M", "A"]


def test_schedule_of_no_steps_ends_when_the_window_opens():
    schedule = compute_schedule([], [], window_start=OPENS)
    assert schedule.planned_end == OPENS
    assert schedule.critical_path == []


def test_schedule_across_the_clock_change_counts_elapsed_time():
    # Europe/London goes to summer time at 01:00 on Sunday 29 March 2026.
    opens = datetime.datetime(2026, 3, 28, 22, 0, tzinfo=LONDON)
    schedule = compute_schedule(steps(("A", 240)), [], window_start=opens)
    assert schedule.planned_end.astimezone(LONDON).hour == 3  # 22:00 + 4 h = 03:00 BST


def test_schedule_refuses_a_cycle_and_names_it():
    with pytest.raises(CycleError) as refused:
        compute_schedule(
            steps((12, 10), (14, 10), (3, 10)), [(3, 12), (12, 14), (14, 12)], window_start=OPENS
        )
    assert refused.value.cycle == [12, 14, 12]
    assert describe_cycle(refused.value.cycle, label=lambda step_id: step_id) == "Step 12 → 14 → 12"


def test_find_cycle_names_a_longer_loop_from_its_smallest_step():
    assert find_cycle([5, 7, 9, 1], [(1, 5), (5, 7), (7, 9), (9, 5)]) == [5, 7, 9, 5]
    assert find_cycle([1, 2, 3], [(1, 2), (2, 3)]) is None


def test_path_exists_for_a_new_edge():
    edges = [(1, 2), (2, 3)]
    assert path_exists(edges, 1, 3) == [1, 2, 3]
    assert path_exists(edges, 3, 1) is None


@pytest.mark.parametrize(
    ("end_minutes", "kind", "sentence"),
    [
        (60 * 60 - 130 - 60, "fits", "fits with 3 h 10 min to spare"),
        (60 * 60 - 130, "fits", "fits with 2 h 10 min to spare"),
        (60 * 60 - 20, "tight", "fits, but leaves 20 min of the 2 h buffer"),
        (60 * 60, "tight", "fits, but leaves 0 min of the 2 h buffer"),
        (60 * 60 + 45, "overruns", "overruns by 45 min"),
    ],
)
def test_window_fit_with_buffer(end_minutes, kind, sentence):
    fit = window_fit(planned_end=at(end_minutes), window_end=at(60 * 60), buffer_minutes=120)
    assert (fit.kind, fit.sentence) == (kind, sentence)
    assert fit.fits_with_buffer == (kind == "fits")


def test_window_fit_exactly_the_buffer_fits():
    fit = window_fit(planned_end=at(60), window_end=at(120), buffer_minutes=60)
    assert fit.sentence == "fits with 1 h to spare"


def test_format_minutes():
    assert [format_minutes(m) for m in (0, 45, 60, 130, 1500)] == [
        "0 min", "45 min", "1 h", "2 h 10 min", "25 h",
    ]  # fmt: skip
