"""Each event is published by the service that causes it (through the real service), to
the webhooks that want it, and to no other."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cutover.services.notify import late_steps_escalate, steps_ready_notify
from decisions.services import decision_open, decision_record
from projects.models import Role
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off
from risks.services import risk_create, risk_update
from risks.services.overdue import actions_overdue_publish
from tests.cutover.live_helpers import MINUTE, live_run_after_step_one, mark
from tests.factories import make_review
from webhooks.models import WebhookDelivery, WebhookEvent


@pytest.fixture
def hook(make_webhook, settings):
    """A webhook wanting every event (the deliveries wait: the test's commit never runs)."""
    settings.SITE_URL = "https://readiness.example.com"
    return make_webhook("https://hooks.example.com/readiness")


def _published(event):
    return list(WebhookEvent.objects.filter(event=event))


def test_an_item_status_change_is_published(hook, review_item, members):
    facilitator = members[Role.FACILITATOR]
    review_item_update(
        item=review_item, acting_user=facilitator, version=review_item.version, status="done"
    )
    [event] = _published("item.status_changed")
    assert event.title == f"“{review_item.title}” is now Done"
    assert "from Not started to Done" in event.text
    assert event.url == f"https://readiness.example.com{review_item.get_absolute_url()}"
    assert event.actor == str(facilitator)
    assert event.data["from"] == "not_started"
    assert event.data["to"] == "done"
    assert WebhookDelivery.objects.get().webhook == hook
    # An edit that leaves the status alone publishes nothing.
    review_item.refresh_from_db()
    review_item_update(
        item=review_item, acting_user=facilitator, version=review_item.version, response="Yes"
    )
    assert WebhookEvent.objects.count() == 1


def test_a_sign_off_given_is_published(hook, review_item, members):
    approver = members[Role.APPROVER]
    item_sign_off(item=review_item, acting_user=approver, decision="approve")
    [event] = _published("signoff.given")
    assert event.title == f"“{review_item.title}” signed off by {approver}"
    assert "as Business owner" in event.text


def test_a_sign_off_rejected_is_published(hook, review_item, members):
    item_sign_off(
        item=review_item, acting_user=members[Role.APPROVER], decision="reject",
        comment="The interface tests are not attached.",
    )  # fmt: skip
    [event] = _published("signoff.rejected")
    assert "rejected" in event.title
    assert event.text.endswith("The interface tests are not attached.")
    assert _published("signoff.given") == []


def test_a_finding_raised_and_closed_is_published(hook, project, members):
    facilitator = members[Role.FACILITATOR]
    risk = risk_create(
        project=project, acting_user=facilitator, title="Interfaces untested", likelihood=4,
        impact=4, is_blocker=True, workaround="Manual upload",
    )  # fmt: skip
    [raised] = _published("finding.raised")
    assert raised.title == "R-1 raised: Interfaces untested"
    assert "Score 16" in raised.text
    assert "blocks the go-live" in raised.text
    assert raised.data["is_blocker"] is True
    risk_update(risk=risk, acting_user=facilitator, version=risk.version, status="mitigating")
    assert _published("finding.closed") == []
    risk.refresh_from_db()
    risk_update(risk=risk, acting_user=facilitator, version=risk.version, status="closed")
    [closed] = _published("finding.closed")
    assert closed.title == "R-1 closed: Interfaces untested"
    assert closed.url == f"https://readiness.example.com{risk.get_absolute_url()}"


def test_an_action_overdue_is_published_once_per_due_date(hook, action, members):
    today = timezone.localdate()
    action.due_date = today - datetime.timedelta(days=2)
    action.save(update_fields=["due_date"])
    assert actions_overdue_publish(today=today) == [action.pk]
    [event] = _published("action.overdue")
    assert event.title.startswith("Overdue: ")
    assert "(2 days ago)" in event.text
    assert f"Owner: {members[Role.CONTRIBUTOR]}" in event.text
    # The next sweeps (and a concurrent one) publish nothing more.
    assert actions_overdue_publish(today=today) == []
    assert actions_overdue_publish(today=today + datetime.timedelta(days=1)) == []
    # A new due date that passes again is told again.
    action.due_date = today - datetime.timedelta(days=1)
    action.save(update_fields=["due_date"])
    assert actions_overdue_publish(today=today) == [action.pk]
    assert len(_published("action.overdue")) == 2


def test_an_action_overdue_reads_only_projects_with_a_webhook_wanting_it(make_webhook, action):
    make_webhook("https://hooks.example.com/x", events=["decision.recorded"])
    action.due_date = timezone.localdate() - datetime.timedelta(days=3)
    action.save(update_fields=["due_date"])
    assert actions_overdue_publish() == []
    assert WebhookEvent.objects.count() == 0


def test_the_overdue_sweep_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["risks-actions-overdue-publish"]
    assert entry["task"] == "risks.tasks.actions_overdue_publish_task"


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


def test_a_vote_opened_is_published(hook, review, members):
    decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    [event] = _published("vote.opened")
    assert event.title == f"Go / no-go vote open: {review.title}"
    assert event.url == f"https://readiness.example.com{decision.get_absolute_url()}"
    # Opening it again changes nothing, and publishes nothing.
    decision_open(review=review, acting_user=members[Role.FACILITATOR])
    assert len(_published("vote.opened")) == 1


def test_a_decision_recorded_is_published(hook, review, members):
    decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
        rationale="Interfaces untested", what_must_change="Test the interfaces",
    )  # fmt: skip
    [event] = _published("decision.recorded")
    assert event.title == f"Decision: No-go — {review.title}"
    assert "recorded no-go" in event.text
    assert "Interfaces untested" in event.text
    assert event.data["outcome"] == "no_go"


@pytest.fixture
def live_run(project, members):
    """A live run whose window opened 100 minutes ago; step 1 done after 60 minutes."""
    return live_run_after_step_one(project, members)


def test_a_late_cutover_step_is_published_once(hook, live_run):
    run, _steps = live_run
    now = run.started_at + 200 * MINUTE  # step 2 planned 60..180, not started: 140 min late
    late_steps_escalate(now=now)
    [event] = _published("cutover.step_late")
    assert event.title == "Late by 2 h 20 min: step 2 Migrate data"
    assert "of the live cutover 1 is late by 2 h 20 min" in event.text
    assert event.data["step_number"] == 2
    late_steps_escalate(now=now + 5 * MINUTE)
    assert len(_published("cutover.step_late")) == 1


def test_a_checkpoint_reached_is_published_once(hook, live_run, members):
    run, steps = live_run
    pm = members[Role.PROJECT_MANAGER]
    steps_ready_notify(run_id=run.pk, step_id=steps[1].pk)  # step 2 can start: no checkpoint
    assert _published("cutover.checkpoint_reached") == []
    mark(run, steps[2], "started", run.started_at + 60 * MINUTE, pm)
    mark(run, steps[2], "done", run.started_at + 90 * MINUTE, pm)
    steps_ready_notify(run_id=run.pk, step_id=steps[2].pk)
    [event] = _published("cutover.checkpoint_reached")
    assert event.title == "Checkpoint reached: step 3 Data checkpoint"
    assert "Record counts reconcile" in event.text
    run_sheet = reverse("cutover:run", args=[run.plan.project_id, run.pk])
    assert event.url == f"https://readiness.example.com{run_sheet}#step-3"
    steps_ready_notify(run_id=run.pk, step_id=steps[2].pk)  # redelivered: nothing more
    assert len(_published("cutover.checkpoint_reached")) == 1


def test_an_event_goes_only_to_the_webhooks_that_want_it(make_webhook, project, members):
    wants = make_webhook("https://a.example.com/", events=["finding.raised"], name="Findings")
    make_webhook("https://b.example.com/", events=["decision.recorded"], name="Decisions")
    disabled = make_webhook("https://c.example.com/", events=["finding.raised"], name="Off")
    disabled.is_enabled = False
    disabled.save()
    risk_create(
        project=project,
        acting_user=members[Role.FACILITATOR],
        title="A risk",
        likelihood=2,
        impact=2,
    )
    assert [d.webhook for d in WebhookDelivery.objects.all()] == [wants]


def test_nothing_is_written_when_no_webhook_wants_the_event(project, members):
    risk_create(
        project=project,
        acting_user=members[Role.FACILITATOR],
        title="A risk",
        likelihood=2,
        impact=2,
    )
    assert WebhookEvent.objects.count() == 0
