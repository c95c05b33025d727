"""The live board's figures on a known run, the checkpoint rule, the switch to the rollback
steps, and the board page for each role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cutover.models import CheckpointOutcome, CheckpointVote, RunStatus
from cutover.selectors_live import board_of
from cutover.services.checkpoints import checkpoint_vote, run_rollback_finish_if_done
from projects.models import Role
from tests.factories import next_cutover_window_start

from .live_helpers import MINUTE, make_live_plan, mark, start_run


@pytest.fixture
def window():
    return next_cutover_window_start()  # a Friday 18:00 London


@pytest.fixture
def live(project, members, window):
    version, steps = make_live_plan(project, members, window_start=window)
    return start_run(version, members), steps


def test_board_figures_while_a_step_runs_late(project, members, live, window):
    run, steps = live
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[1], "started", window, pm)
    mark(run, steps[1], "done", window + 70 * MINUTE, pm)
    mark(run, steps[2], "started", window + 70 * MINUTE, pm)
    board = board_of(run, project, now=window + 210 * MINUTE)  # Friday 21:30
    assert (board.done, board.total, board.percent) == (1, 5, 20)
    assert [(s.number, s.since) for s in board.running] == [(2, window + 70 * MINUTE)]
    assert [(s.number, s.late_minutes) for s in board.late] == [(2, 30)]
    # 2 ends now (21:30), then 30 + 30 + 30 minutes: 23:00, an hour before the window closes.
    assert board.expected_finish == window + 300 * MINUTE
    assert board.finish_sentence == "expected to finish Fri 23:00, 1 h before the window closes"
    assert board.in_buffer
    assert not board.overruns
    assert board.next_checkpoint.step.number == 3
    assert not board.next_checkpoint.reached
    assert board.next_checkpoint.step.expected_start == window + 210 * MINUTE
    assert board.ponr.at == window + 210 * MINUTE  # step 4's planned start
    assert not board.ponr.passed
    assert not board.rolling_back


def test_board_figures_past_the_point_of_no_return_and_overrunning(project, members, window):
    version, steps = make_live_plan(project, members, window_start=window, window_hours=5)
    run = start_run(version, members)
    pm = members[Role.PROJECT_MANAGER]
    times = {1: (0, 60), 2: (60, 200), 3: (200, 230), 4: (235, 265)}
    for number, (start, end) in times.items():
        mark(run, steps[number], "started", window + start * MINUTE, pm)
        mark(run, steps[number], "done", window + end * MINUTE, pm)
    CheckpointOutcome.objects.create(
        run=run, step=steps[3], outcome="go_on", decided_at=window + 230 * MINUTE, decided_by=pm
    )
    mark(run, steps[5], "started", window + 270 * MINUTE, pm)
    board = board_of(run, project, now=window + 330 * MINUTE)
    assert (board.done, board.total) == (4, 5)
    assert [(s.number, s.late_minutes) for s in board.late] == [(5, 60)]
    assert board.ponr.passed
    assert board.next_checkpoint is None
    assert board.overruns
    assert board.finish_sentence == "expected to overrun by 30 min (finish Fri 23:30)"
    assert [c.outcome for c in board.checkpoints] == ["go_on"]


def test_a_ready_step_not_started_after_its_planned_start_is_late(project, members, live, window):
    run, _steps = live
    board = board_of(run, project, now=window + 25 * MINUTE)
    assert [(s.number, s.late_minutes) for s in board.late] == [(1, 25)]
    assert board.running == []


def _reach_checkpoint(run, steps, members, window):
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[1], "started", window, pm)
    mark(run, steps[1], "done", window + 60 * MINUTE, pm)
    mark(run, steps[2], "started", window + 60 * MINUTE, pm)
    mark(run, steps[2], "done", window + 180 * MINUTE, pm)


def test_checkpoint_goes_on_when_every_approver_votes_go_on(project, members, live, window):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    _vote, outcome = checkpoint_vote(
        run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="go_on"
    )
    assert outcome is None  # the project manager has not voted
    board = board_of(run, project)
    assert board.next_checkpoint.reached
    assert board.checkpoints[0].awaiting == ["Project Manager Person"]
    _vote, outcome = checkpoint_vote(
        run=run, step=steps[3], acting_user=members[Role.PROJECT_MANAGER], choice="go_on",
        comment="Counts match.",
    )  # fmt: skip
    assert outcome.outcome == "go_on"
    assert outcome.decided_at is not None
    with pytest.raises(ValidationError, match="is decided: go on"):
        checkpoint_vote(
            run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="roll_back",
            comment="Too late",
        )  # fmt: skip


def test_a_changed_vote_supersedes_the_first(project, members, live, window):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    approver = members[Role.APPROVER]
    checkpoint_vote(run=run, step=steps[3], acting_user=approver, choice="go_on")
    checkpoint_vote(run=run, step=steps[3], acting_user=approver, choice="go_on", comment="Sure")
    votes = CheckpointVote.objects.filter(run=run, voter=approver)
    assert votes.count() == 2
    assert votes.filter(superseded_at__isnull=True).get().comment == "Sure"


def test_checkpoint_refusals(project, members, live, window):
    run, steps = live
    with pytest.raises(ValidationError, match="not reached yet"):
        checkpoint_vote(run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="go_on")
    _reach_checkpoint(run, steps, members, window)
    with pytest.raises(ValidationError, match="Say why"):
        checkpoint_vote(
            run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="roll_back"
        )
    for role in (Role.FACILITATOR, Role.CONTRIBUTOR, Role.VIEWER):
        with pytest.raises(PermissionDenied, match="Only the approvers of checkpoint 3"):
            checkpoint_vote(run=run, step=steps[3], acting_user=members[role], choice="go_on")
    with pytest.raises(ValidationError, match="not a checkpoint"):
        checkpoint_vote(run=run, step=steps[2], acting_user=members[Role.APPROVER], choice="go_on")


def test_one_roll_back_vote_switches_the_board_to_the_rollback_steps(
    project, members, live, window
):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    _vote, outcome = checkpoint_vote(
        run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="roll_back",
        comment="Counts are off by 3%.",
    )  # fmt: skip
    assert outcome.outcome == "roll_back"
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # step 1 was done: its rollback step 6 must run
    board = board_of(run, project)
    assert board.rolling_back
    assert [step.number for step in board.rollback_steps] == [6]
    assert (board.done, board.total) == (0, 1)
    assert board.next_checkpoint is None
    assert [step.number for step in board.ready] == [6]
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[6], "started", timezone.now() - 2 * MINUTE, pm)
    assert not run_rollback_finish_if_done(run_id=run.pk)
    mark(run, steps[6], "done", timezone.now(), pm)
    assert run_rollback_finish_if_done(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.ROLLED_BACK
    assert run.ended_at is not None
    board = board_of(run, project)
    assert (board.done, board.total) == (1, 1)


def test_a_roll_back_before_anything_to_undo_ends_the_run_at_once(project, members, window):
    version, steps = make_live_plan(project, members, window_start=window)
    run = start_run(version, members)
    pm = members[Role.PROJECT_MANAGER]
    steps[1].rollback_step = None
    steps[1].save(update_fields=["rollback_step"])
    _reach_checkpoint(run, steps, members, window)
    checkpoint_vote(run=run, step=steps[3], acting_user=pm, choice="roll_back", comment="No.")
    run.refresh_from_db()
    assert run.status == RunStatus.ROLLED_BACK


# --- The page -------------------------------------------------------------------------


def _board(client, project, **headers):
    return client.get(reverse("cutover:board", args=[project.pk]), headers=headers)


@pytest.mark.parametrize("role", Role.values)
def test_every_member_sees_the_board(client_for, project, members, live, role):
    response = _board(client_for(members[role]), project)
    assert response.status_code == 200
    assert "Live cutover 1" in response.text
    assert 'hx-trigger="every 10s"' in response.text
    assert "Progress" in response.text


def test_an_outsider_gets_a_404(client_for, project, outsider, live):
    assert _board(client_for(outsider), project).status_code == 404
    run, steps = live
    url = reverse("cutover:checkpoint_vote", args=[project.pk, run.pk, steps[3].pk])
    assert client_for(outsider).post(url, {"choice": "go_on"}).status_code == 404


def test_only_the_approvers_see_the_vote_buttons(client_for, project, members, live, window):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    for role in Role.values:
        text = _board(client_for(members[role]), project).text
        shows = 'name="choice" value="go_on"' in text
        assert shows == (role in (Role.APPROVER, Role.PROJECT_MANAGER)), role
        assert "vote open" in text


def test_a_non_approver_posting_a_vote_is_refused_with_a_message(
    client_for, project, members, live, window
):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    url = reverse("cutover:checkpoint_vote", args=[project.pk, run.pk, steps[3].pk])
    response = client_for(members[Role.VIEWER]).post(url, {"choice": "go_on"})
    assert response.status_code == 403
    assert "Only the approvers of checkpoint 3 vote on it" in response.text
    assert not CheckpointVote.objects.exists()


def test_an_approver_votes_from_the_board(client_for, project, members, live, window):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    url = reverse("cutover:checkpoint_vote", args=[project.pk, run.pk, steps[3].pk])
    client = client_for(members[Role.APPROVER])
    response = client.post(url, {"choice": "roll_back"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Say why the cutover should roll back." in response.text
    response = client.post(
        url, {"choice": "go_on", "comment": "Fine"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # the fragment only
    assert "Approver Person</strong>: Go on" in response.text
    assert "Awaiting: Project Manager Person" in response.text


def test_the_fragment_stops_polling_once_the_run_is_over(client_for, project, members, live):
    run, _steps = live
    run.status = RunStatus.FINISHED
    run.ended_at = run.started_at + 60 * MINUTE
    run.save()
    response = _board(client_for(members[Role.VIEWER]), project, **{"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="board"' in response.text
    assert "hx-trigger" not in response.text


def test_a_rehearsal_has_a_board_too(client_for, project, members, window):
    version, steps = make_live_plan(project, members, window_start=window)
    run = start_run(version, members, kind="rehearsal", started_at=timezone.now() - 30 * MINUTE)
    mark(run, steps[1], "started", run.started_at, members[Role.PROJECT_MANAGER])
    response = _board(client_for(members[Role.VIEWER]), project)
    assert "Rehearsal 1" in response.text
    assert "Freeze legacy" in response.text
    assert "since" in response.text


# --- Starting the live cutover --------------------------------------------------------


def test_the_live_cutover_starts_only_from_a_signed_off_version(
    client_for, project, members, window
):
    version, _steps = make_live_plan(project, members, window_start=window, signed_off=False)
    url = reverse("cutover:live_start", args=[project.pk])
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url, follow=True)
    assert "is not signed off: the live cutover runs a signed-off plan" in response.text
    assert not version.runs.exists()
    version.status = "signed_off"
    version.save()
    response = client.post(url, follow=True)
    assert "The live cutover started" in response.text
    run = version.runs.get()
    assert (run.kind, run.status) == ("live", "running")


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_plan_editors_start_the_live_cutover(client_for, project, members, window, role):
    version, _steps = make_live_plan(project, members, window_start=window)
    response = client_for(members[role]).post(reverse("cutover:live_start", args=[project.pk]))
    assert response.status_code == 403
    assert not version.runs.exists()


def test_the_cutover_manager_starts_the_live_cutover(
    client_for, project, members, cutover_manager, window
):
    version, _steps = make_live_plan(project, members, window_start=window)
    client_for(cutover_manager).post(reverse("cutover:live_start", args=[project.pk]))
    assert version.runs.get().kind == "live"


def test_outsider_cannot_start_the_live_cutover(client_for, project, members, outsider, window):
    make_live_plan(project, members, window_start=window)
    response = client_for(outsider).post(reverse("cutover:live_start", args=[project.pk]))
    assert response.status_code == 404


def test_the_plan_page_links_the_board(client_for, project, members, window):
    make_live_plan(project, members, window_start=window)
    response = client_for(members[Role.VIEWER]).get(reverse("cutover:plan", args=[project.pk]))
    assert reverse("cutover:board", args=[project.pk]) in response.text


def test_no_run_yet(client_for, project, members, window):
    make_live_plan(project, members, window_start=window)
    text = _board(client_for(members[Role.PROJECT_MANAGER]), project).text
    assert "Nothing has run yet" in text
    assert "Start the live cutover" in text
    text = _board(client_for(members[Role.VIEWER]), project).text
    assert "Start the live cutover" not in text


def test_a_vote_without_javascript_redirects_to_the_board_with_a_message(
    client_for, project, members, live, window
):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    url = reverse("cutover:checkpoint_vote", args=[project.pk, run.pk, steps[3].pk])
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url, {"choice": "roll_back"}, follow=True)
    assert "Say why the cutover should roll back." in response.text
    response = client.post(url, {"choice": "go_on"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?run={run.pk}")
    assert "Vote recorded." in response.text
    assert "Project Manager Person</strong>: Go on" in response.text


def test_earlier_checkpoints_shrink_to_a_line(project, members, live, window):
    run, steps = live
    pm = members[Role.PROJECT_MANAGER]
    steps[1].is_checkpoint = True
    steps[1].save(update_fields=["is_checkpoint"])
    CheckpointOutcome.objects.create(
        run=run, step=steps[1], outcome="go_on", decided_at=window, decided_by=pm
    )
    _reach_checkpoint(run, steps, members, window)
    CheckpointOutcome.objects.create(
        run=run, step=steps[3], outcome="go_on", decided_at=window + 181 * MINUTE, decided_by=pm
    )
    board = board_of(run, project, now=window + 190 * MINUTE)
    assert [c.step.number for c in board.shown_checkpoints] == [3]
    assert [c.step.number for c in board.decided_checkpoints] == [3, 1]


def test_the_page_switches_to_the_rollback_steps(client_for, project, members, live, window):
    run, steps = live
    _reach_checkpoint(run, steps, members, window)
    checkpoint_vote(
        run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="roll_back",
        comment="Counts are off by 3%.",
    )  # fmt: skip
    text = _board(client_for(members[Role.VIEWER]), project).text
    assert "Rolling back" in text
    assert "Approver Person: Counts are off by 3%." in text
    assert 'id="rollback-steps"' in text
    assert "Restore legacy" in text
    assert "0 / 1" in text  # the rollback's progress
    assert "Forward plan: 2 / 5 done before the roll back." in text


def test_a_point_of_no_return_at_a_time(project, members, window):
    version, _steps = make_live_plan(project, members, window_start=window)
    version.point_of_no_return_step = None
    version.point_of_no_return_at = window + 120 * MINUTE
    version.save()
    run = start_run(version, members)
    assert not board_of(run, project, now=window + 119 * MINUTE).ponr.passed
    ponr = board_of(run, project, now=window + 120 * MINUTE).ponr
    assert ponr.passed
    assert ponr.at == window + 120 * MINUTE
