"""Summary PDFs when a worker dies or a request is sent twice (issue 12, Medium #7 and Low).

A worker killed mid-render used to leave the report "rendering" for 10 to 20 minutes: the
redelivered task saw the dead worker's claim and returned at once, and the message waited
out a one-hour visibility timeout. Two concurrent "request summary" posts made two reports,
two renders and two e-mails. The real-worker test (kill -9 mid-render) is in
tests/readiness/test_worker.py.
"""

import datetime
import threading

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from summaries import tasks
from summaries.models import SummaryReport
from summaries.services import (
    MAX_RENDER_ATTEMPTS,
    RenderClaimHeld,
    summary_render,
    summary_request,
)
from tests.conftest import need_postgres
from tests.factories import make_review, make_summary

F, PM, A = Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[F])


def _claimed(report, seconds_ago, attempts=1):
    SummaryReport.objects.filter(pk=report.pk).update(
        status="rendering",
        started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=attempts,
    )


# --- Settings: acks_late, reject_on_worker_lost, the visibility timeout ----------------------


@pytest.mark.parametrize("task", [tasks.summary_render_task, tasks.summary_send_task])
def test_summary_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


def test_the_visibility_timeout_sits_just_above_the_hard_time_limit():
    limit = django_settings.CELERY_TASK_TIME_LIMIT
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert limit < visibility <= limit * 1.25
    assert limit > django_settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_send_retries_wait_less_than_the_visibility_timeout():
    """A retry waiting longer than the visibility timeout would be handed to a second worker."""
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    waits = [
        tasks.backoff(n, base=tasks.SEND_BACKOFF_SECONDS, cap=tasks.SEND_BACKOFF_CAP_SECONDS)
        for n in range(tasks.SEND_MAX_RETRIES)
    ]
    assert max(waits) < visibility
    assert sum(waits) >= 20 * 60  # still rides out a relay outage of twenty minutes


# --- A render whose worker died --------------------------------------------------------------


def test_a_redelivered_render_whose_claim_is_older_than_the_time_limit_renders_again(
    review, members, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 300
    report = make_summary(review, requested_by=members[F], status="queued")
    _claimed(report, seconds_ago=301)  # the worker that claimed it died five minutes ago
    summary_render(report_id=report.pk, redelivered=True)
    report.refresh_from_db()
    assert report.status == "ready", report.error
    assert report.attempts == 2


def test_a_redelivered_render_with_a_young_claim_waits_for_the_claim_to_expire(
    review, members, settings
):
    """reject_on_worker_lost hands the task back at once: the dead worker's claim is seconds
    old, so the task comes back when no render can still be running under it."""
    settings.CELERY_TASK_TIME_LIMIT = 300
    report = make_summary(review, requested_by=members[F], status="queued")
    _claimed(report, seconds_ago=20)
    with pytest.raises(RenderClaimHeld) as held:
        summary_render(report_id=report.pk, redelivered=True)
    assert 280 <= held.value.retry_in <= 282
    report.refresh_from_db()
    assert report.status == "rendering"
    assert report.attempts == 1


def test_a_first_delivery_leaves_a_render_in_progress_alone(review, members):
    report = make_summary(review, requested_by=members[F], status="queued")
    _claimed(report, seconds_ago=5)
    summary_render(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("rendering", 1)


def test_a_render_that_keeps_killing_its_worker_is_given_up(review, members, settings):
    settings.CELERY_TASK_TIME_LIMIT = 300
    report = make_summary(review, requested_by=members[F], status="queued")
    _claimed(report, seconds_ago=400, attempts=MAX_RENDER_ATTEMPTS)
    summary_render(report_id=report.pk, redelivered=True)
    report.refresh_from_db()
    assert report.status == "failed"
    assert f"after {MAX_RENDER_ATTEMPTS} attempts" in report.error
    assert not report.file


# --- Double clicks ----------------------------------------------------------------------------


def test_a_second_request_returns_the_report_already_under_way(
    review, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as first_callbacks:
        first = summary_request(review=review, acting_user=members[PM], send=True)
    with django_capture_on_commit_callbacks(execute=False) as second_callbacks:
        second = summary_request(review=review, acting_user=members[F], send=True)
    assert second.pk == first.pk
    assert second.was_under_way is True
    assert SummaryReport.objects.filter(review=review).count() == 1
    assert len(first_callbacks) == 1
    assert second_callbacks == []  # no second render


def test_a_second_request_asking_for_e_mail_adds_it_to_the_report_under_way(
    review, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = summary_request(review=review, acting_user=members[PM])
    second = summary_request(
        review=review, acting_user=members[F], recipients=[members[A]], send=True
    )
    assert second.pk == first.pk
    first.refresh_from_db()
    assert first.send_requested is True
    assert members[A] in first.recipients.all()


def test_a_new_request_once_the_last_one_is_ready_makes_a_new_report(review, members):
    ready = make_summary(review, requested_by=members[F])
    report = summary_request(review=review, acting_user=members[PM])
    assert report.pk != ready.pk
    assert report.was_under_way is False


def test_a_double_click_on_the_page_makes_one_report_and_says_so(
    client_for, review, members, django_capture_on_commit_callbacks
):
    client = client_for(members[PM])
    url = reverse("summaries:summary_request", args=[review.project_id, review.pk])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"send": "on", "recipients": [members[A].pk]})
        response = client.post(url, {"send": "on", "recipients": [members[A].pk]}, follow=True)
    assert SummaryReport.objects.filter(review=review).count() == 1
    assert "already being produced" in response.text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_make_one_report_one_render_and_one_e_mail(project, members):
    need_postgres()
    review = make_review(project, acting_user=members[F])
    start = threading.Barrier(4)
    reports, errors = [], []

    def request():
        try:
            start.wait()
            reports.append(summary_request(review=review, acting_user=members[PM], send=True).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(reports)) == 1
    report = SummaryReport.objects.get(review=review)
    assert report.status == "ready", report.error
    assert report.attempts == 1
    assert len(mail.outbox) == 1
