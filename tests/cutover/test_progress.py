"""Where a run stands (cutover.progress): statuses, actual times, drift, expected finish,
late steps, the actual critical path, fitting the window with the buffer. No database."""

import datetime
from dataclasses import dataclass

from cutover.progress import run_state
from cutover.schedule import ScheduleStep

T0 = datetime.datetime(2026, 3, 6, 18, 0, tzinfo=datetime.UTC)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


@dataclass
class Event:
    id: int
    step_id: int
    kind: str
    at: datetime.datetime
    corrects_id: int = None


def events(*marks):
    """Events numbered in the order given: (step, kind, minute[, corrects])."""
    made = []
    for number, mark in enumerate(marks, start=1):
        step_id, kind, minute, *rest = mark
        made.append(Event(number, step_id, kind, at(minute), rest[0] if rest else None))
    return made


# 1 (60) -> 2 (120) -> 4 (30); 1 -> 3 (30) -> 4: the critical path is 1, 2, 4 (210 min).
STEPS = [ScheduleStep(1, 60, None), ScheduleStep(2, 120, None), ScheduleStep(3, 30, None),
         ScheduleStep(4, 30, None)]  # fmt: skip
EDGES = [(1, 2), (1, 3), (2, 4), (3, 4)]


def state(marks, *, now=None, window=300, buffer=60):
    return run_state(
        STEPS, EDGES, events(*marks), window_start=T0, window_minutes=window,
        buffer_minutes=buffer, now=now,
    )  # fmt: skip


def test_run_state_statuses_follow_the_marks_and_the_graph():
    run = state([(1, "started", 0), (1, "done", 50), (2, "started", 55)], now=at(60))
    assert [run[i].status for i in (1, 2, 3, 4)] == ["done", "running", "ready", "waiting"]
    assert run.counts == {"done": 1, "running": 1, "ready": 1, "waiting": 1}


def test_run_state_drift_is_actual_against_planned_duration():
    run = state(
        [(1, "started", 0), (1, "done", 95), (2, "started", 95), (2, "done", 200),
         (3, "started", 100), (3, "skipped", 100)],
    )  # fmt: skip
    assert run[1].drift == 35  # 95 minutes for 60 planned
    assert run[1].drift_text == "+35 min"
    assert run[2].drift == -15  # 105 for 120
    assert run[2].drift_text == "\N{MINUS SIGN}15 min"
    assert run[1].late_by == 35  # ended at 95, planned 60


def test_run_state_a_correction_replaces_the_time_and_the_latest_wins():
    run = state(
        [(1, "started", 0), (1, "done", 95), (1, "corrected", 80, 2), (1, "corrected", 70, 2)]
    )
    assert run[1].actual_end == at(70)
    assert run[1].drift == 10


def test_run_state_expected_finish_adds_the_planned_rest_to_what_happened():
    # Step 1 took 90 (30 late); step 2 has run 100 of its 120 at minute 190; step 3 too
    # runs on past its 30 minutes (it ends when it ends: not before now).
    run = state(
        [(1, "started", 0), (1, "done", 90), (2, "started", 90), (3, "started", 90)],
        now=at(190),
    )
    # Step 2 ends at 210, step 4 then runs 30: 240 (planned 210).
    assert run.planned_end == at(210)
    assert run.expected_finish == at(240)
    assert run.critical_path == [1, 2, 4]
    # 300 min window, 240 expected: 60 to spare, the whole buffer.
    assert run.fit.spare_minutes == 60
    assert run.fits_with_buffer


def test_run_state_a_running_step_past_its_end_pushes_the_finish_and_is_late():
    run = state([(1, "started", 0)], now=at(100))
    assert run[1].late  # planned to end at 60
    assert run[1].drift == 40
    assert run.late == [1]
    assert run.expected_finish == at(100 + 120 + 30)
    assert not run.fits_with_buffer  # 250 of 300 leaves 50 of the 60 buffer
    assert run.fit.kind == "tight"


def test_run_state_a_ready_step_not_started_after_its_planned_start_is_late():
    run = state([(1, "started", 0), (1, "done", 60)], now=at(75))
    assert run[2].status == "ready"
    assert run[2].late  # planned start 60
    assert run[3].late
    assert run.late == [2, 3]
    assert not state([(1, "started", 0), (1, "done", 60)], now=at(60)).late


def test_run_state_the_actual_critical_path_can_move_to_another_branch():
    run = state(
        [(1, "started", 0), (1, "done", 60), (2, "started", 60), (2, "done", 150),
         (3, "started", 60), (3, "done", 200)],
        now=at(200),
    )  # fmt: skip
    assert run.critical_path == [1, 3, 4]
    assert run.expected_finish == at(230)


def test_run_state_finished_run_overruns_by_the_actual_times():
    run = state(
        [(1, "started", 0), (1, "done", 200), (2, "started", 200), (2, "done", 330),
         (3, "started", 200), (3, "done", 230), (4, "started", 330), (4, "done", 370)],
        now=None,
    )  # fmt: skip
    assert run.expected_finish == at(370)
    assert run.fit.kind == "overruns"
    assert run.fit.spare_minutes == -70
    assert run.late == []  # nothing runs on in a run that is over


def test_run_state_fixed_start_waits_and_failed_step_reruns():
    steps = [ScheduleStep(1, 30, None), ScheduleStep(2, 30, at(120))]
    run = run_state(steps, [(1, 2)], events(), window_start=T0, window_minutes=300, now=at(0))
    assert run[2].planned_start == at(120)
    assert run.expected_finish == at(150)
    failed = run_state(
        steps, [(1, 2)], events((1, "started", 0), (1, "failed", 20)), window_start=T0,
        window_minutes=300, now=at(40),
    )  # fmt: skip
    assert failed[1].status == "failed"
    assert failed[1].expected_end == at(70)  # run again from now
