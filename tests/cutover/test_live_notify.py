"""Owners told once that their step can start, late steps escalated once to the cutover
manager, the home page's panel of steps ready to start, the board's query count."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cutover.models import LateStepEscalation, Step, StepReadyNotice
from cutover.selectors_live import steps_ready_for
from cutover.services.checkpoints import checkpoint_vote
from cutover.services.notify import late_steps_escalate, notify_steps_ready, steps_ready_notify
from projects.models import Role
from tests.factories import make_cutover_plan

from .live_helpers import MINUTE, live_run_after_step_one, make_live_plan, mark, start_run


@pytest.fixture
def live_now(project, members):
    """A live run whose window opened 100 minutes ago; step 1 done after 60 minutes."""
    return live_run_after_step_one(project, members)


def test_the_owner_is_told_once_that_their_step_can_start(
    project, members, live_now, django_capture_on_commit_callbacks
):
    run, steps = live_now
    with django_capture_on_commit_callbacks(execute=True):
        notify_steps_ready(run, steps[1])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [members[Role.CONTRIBUTOR].email]
    assert "Step 2 can start: Migrate data" in message.subject
    assert f"{reverse('cutover:run', args=[project.pk, run.pk])}#step-2" in message.body
    html = message.alternatives[0][0]
    assert "Step 2 “Migrate data” can start" in html
    assert "Open the run sheet" in html
    # The task again (a redelivery), and the service directly: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        notify_steps_ready(run, steps[1])
    assert steps_ready_notify(run_id=run.pk, step_id=steps[1].pk) == []
    assert len(mail.outbox) == 1
    assert StepReadyNotice.objects.filter(run=run).count() == 1


def test_an_owner_who_wants_the_bell_only_is_told_there_and_not_mailed(
    project, members, live_now, django_capture_on_commit_callbacks
):
    from notifications.models import Delivery, Kind, Notification, NotificationPreference

    run, steps = live_now
    owner = members[Role.CONTRIBUTOR]
    NotificationPreference.objects.create(
        user=owner, kind=Kind.STEP_READY, delivery=Delivery.IN_APP
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_steps_ready(run, steps[1])
    assert mail.outbox == []
    (told,) = Notification.objects.filter(recipient=owner, kind=Kind.STEP_READY)
    assert told.title == f"Step 2 can start in {run}: Migrate data"
    assert told.url == f"{reverse('cutover:run', args=[project.pk, run.pk])}#step-2"
    assert StepReadyNotice.objects.get(run=run, step=steps[2]).recipients == []


def test_a_roll_back_tells_the_rollback_steps_owners(
    project, members, live_now, django_capture_on_commit_callbacks
):
    run, steps = live_now
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[2], "started", run.started_at + 60 * MINUTE, pm)
    mark(run, steps[2], "done", run.started_at + 90 * MINUTE, pm)
    StepReadyNotice.objects.create(run=run, step=steps[3])  # told when 2 was done
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_vote(run=run, step=steps[3], acting_user=pm, choice="roll_back", comment="No")
    assert [message.subject for message in mail.outbox] == [
        f"[{project.name}] Step 6 can start: Restore legacy"
    ]
    assert mail.outbox[0].to == [members[Role.CONTRIBUTOR].email]


def test_the_home_page_lists_my_steps_ready_to_start(client_for, project, members, live_now):
    run, steps = live_now
    contributor = members[Role.CONTRIBUTOR]
    assert [step.number for step in steps_ready_for(contributor)] == [2]
    assert steps_ready_for(members[Role.APPROVER]) == []  # step 5 waits
    text = client_for(contributor).get(reverse("home")).text
    assert "Your cutover steps ready to start" in text
    assert "Step 2 “Migrate data”" in text
    mark(run, steps[2], "started", timezone.now(), contributor)
    assert steps_ready_for(contributor) == []
    mark(run, steps[2], "done", timezone.now(), contributor)
    assert [step.number for step in steps_ready_for(members[Role.FACILITATOR])] == [3]
    checkpoint_vote(
        run=run, step=steps[3], acting_user=members[Role.APPROVER], choice="roll_back",
        comment="Counts are off",
    )  # fmt: skip
    assert steps_ready_for(members[Role.FACILITATOR]) == []
    assert "Your cutover steps ready to start" not in client_for(contributor).get("/").text


def test_a_late_step_escalates_once_to_the_cutover_manager(
    project, members, live_now, cutover_manager
):
    run, steps = live_now
    now = run.started_at + 200 * MINUTE  # step 2 planned 60..180, not started: 140 min late
    assert late_steps_escalate(now=now) == {run.pk: [2]}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cutover_manager.email]
    assert "Late: step 2 Migrate data (2 h 20 min)" in message.subject
    assert "it could start at" in message.body
    assert "has not started" in message.body
    assert "is late by 2 h 20 min" in message.alternatives[0][0]
    assert late_steps_escalate(now=now + 5 * MINUTE) == {}
    assert len(mail.outbox) == 1
    escalation = LateStepEscalation.objects.get()
    assert (escalation.step_id, escalation.late_minutes) == (steps[2].pk, 140)


def test_without_a_cutover_manager_the_project_manager_hears(project, members, live_now):
    run, _steps = live_now
    late_steps_escalate(now=run.started_at + 200 * MINUTE)
    assert mail.outbox[0].to == [members[Role.PROJECT_MANAGER].email]


def test_nothing_late_nothing_sent(project, members, live_now):
    run, _steps = live_now
    assert late_steps_escalate(now=run.started_at + 60 * MINUTE) == {}
    assert mail.outbox == []


def test_the_escalation_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cutover-late-steps-escalate"]
    assert entry["task"] == "cutover.tasks.cutover_late_steps_escalate_task"


def test_the_escalation_task_runs(project, members, live_now):
    from cutover.tasks import cutover_late_steps_escalate_task

    result = cutover_late_steps_escalate_task.apply().get()
    assert result == {str(live_now[0].pk): [2]}  # the window opened 100 min ago: 2 is 40 min late


# --- Query counts ----------------------------------------------------------------------

# Session and user, the membership; the run, the members' names, the steps, the dependencies,
# the events, the standing votes, the outcomes, the checkpoint approvers.
BOARD_MAX_QUERIES = 11


@pytest.fixture(params=[30, 300], ids=["30-steps", "300-steps"])
def big_run(request, project, members):
    owner = members[Role.CONTRIBUTOR]
    version = make_cutover_plan(project, steps=request.param, owner=owner)
    approvers = Step.checkpoint_approvers.through
    approvers.objects.bulk_create(
        approvers(step_id=step.pk, user_id=members[Role.APPROVER].pk)
        for step in version.steps.filter(is_checkpoint=True)
    )
    run = start_run(version, members, kind="rehearsal", started_at=timezone.now() - 600 * MINUTE)
    for step in version.steps.order_by("number")[: request.param // 2]:
        mark(run, step, "started", run.started_at, owner)
        mark(run, step, "done", run.started_at + MINUTE, owner)
    return run


def test_board_query_count_is_flat(
    client_for, project, members, big_run, django_assert_max_num_queries
):
    client = client_for(members[Role.APPROVER])
    client.get(reverse("home"))  # logged in before counting
    with django_assert_max_num_queries(BOARD_MAX_QUERIES):
        response = client.get(reverse("cutover:board", args=[project.pk]))
    assert response.status_code == 200
    total = big_run.plan_version.steps.count()
    assert f"{total // 2} / {total}" in response.text
    with django_assert_max_num_queries(BOARD_MAX_QUERIES):
        response = client.get(
            reverse("cutover:board", args=[project.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200


def test_home_query_count_with_steps_ready(
    client_for, project, members, big_run, django_assert_max_num_queries
):
    client = client_for(members[Role.CONTRIBUTOR])
    client.get(reverse("home"))
    cache.clear()
    with django_assert_max_num_queries(15):  # as without a cutover (tests/reviews)
        response = client.get(reverse("home"))
    assert "Your cutover steps ready to start" in response.text


def test_marking_a_step_done_tells_the_next_owner_and_starting_tells_the_first(
    project, members, django_capture_on_commit_callbacks
):
    """Through the run services themselves: starting the run announces step 1; marking it
    done announces step 2; a mark that unblocks nothing new sends nothing."""
    from cutover.services.runs import run_start, step_record

    window = timezone.now().replace(second=0, microsecond=0) - 100 * MINUTE
    version, steps = make_live_plan(project, members, window_start=window)
    pm, contributor = members[Role.PROJECT_MANAGER], members[Role.CONTRIBUTOR]
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(plan=version.plan, acting_user=pm, kind="live", started_at=window)
    assert [message.subject for message in mail.outbox] == [
        f"[{project.name}] Step 1 can start: Freeze legacy"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        step_record(run=run, step=steps[1], acting_user=contributor, kind="started", at=window)
    assert len(mail.outbox) == 1  # a start unblocks nobody
    with django_capture_on_commit_callbacks(execute=True):
        step_record(
            run=run, step=steps[1], acting_user=contributor, kind="done", at=window + 60 * MINUTE
        )
    assert [message.subject for message in mail.outbox][1:] == [
        f"[{project.name}] Step 2 can start: Migrate data"
    ]
    assert mail.outbox[1].to == [contributor.email]


def test_on_the_day_a_checkpoint_is_marked_done_only_after_its_approvers_go_on(project, members):
    from django.core.exceptions import ValidationError

    from cutover.services.runs import step_record

    window = timezone.now().replace(second=0, microsecond=0) - 300 * MINUTE
    version, steps = make_live_plan(project, members, window_start=window)
    run = start_run(version, members)
    pm = members[Role.PROJECT_MANAGER]
    for number in (1, 2):
        mark(run, steps[number], "started", window + number * MINUTE, pm)
        mark(run, steps[number], "done", window + (number + 1) * MINUTE, pm)
    step_record(run=run, step=steps[3], acting_user=pm, kind="started", at=window + 5 * MINUTE)
    with pytest.raises(ValidationError, match="its approvers decide on the board"):
        step_record(run=run, step=steps[3], acting_user=pm, kind="done")
    for approver in (members[Role.APPROVER], pm):
        checkpoint_vote(run=run, step=steps[3], acting_user=approver, choice="go_on")
    event = step_record(run=run, step=steps[3], acting_user=pm, kind="done")
    assert event.kind == "done"
