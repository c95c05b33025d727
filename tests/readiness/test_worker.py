"""A real Celery worker, against the real Redis and the same PostgreSQL test database.

CI's service pass runs these (REQUIRE_SERVICES=1 makes missing services a failure); on a
machine without PostgreSQL and Redis they skip with the reason. The worker is a subprocess
on its own queue, with the file e-mail backend in a temporary folder, so the test counts
the mails it sent. One test kills a worker with SIGKILL mid-render (issue 12).
"""

import os
import time

import pytest

from projects.models import Role
from tests.workers import mails_in, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_summary_request_goes_from_queued_to_ready_through_the_worker(worker):
    from pypdf import PdfReader

    from summaries.models import SummaryReport
    from summaries.services import summary_request
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review

    _, mail_dir = worker
    project = ProjectFactory()
    people = {}
    for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER):
        people[role] = UserFactory()
        MembershipFactory(project=project, user=people[role], role=role)
    review = make_review(project, acting_user=people[Role.FACILITATOR])
    report = summary_request(review=review, acting_user=people[Role.FACILITATOR], send=True)
    assert SummaryReport.objects.get(pk=report.pk).status in {"queued", "rendering"}

    def finished():
        report.refresh_from_db()
        return report.status in {"ready", "failed"} and (report.sent_at or report.send_error)

    wait_for(finished, message="the summary did not become ready and sent through the worker")
    assert report.status == "ready", report.error
    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    assert report.pages == len(PdfReader(report.file.path).pages) >= 3
    assert report.sent_at is not None, report.send_error
    (message,) = mails_in(mail_dir)
    assert set(message["To"].split(", ")) == {
        people[Role.APPROVER].email,
        people[Role.PROJECT_MANAGER].email,
    }
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")


def test_a_reminder_sweep_through_the_worker_sends_one_digest_per_person(worker):
    import datetime

    from django.utils import timezone

    from readiness.celery import app
    from reminders.models import Reminder, ReminderDigest
    from tests.factories import (
        MembershipFactory,
        MitigationActionFactory,
        ProjectFactory,
        RiskFactory,
        UserFactory,
    )

    _, mail_dir = worker
    project = ProjectFactory()
    owners = [UserFactory(digest_hour=0) for _ in range(4)]
    for owner in owners:
        MembershipFactory(project=project, user=owner, role=Role.CONTRIBUTOR)
    risk = RiskFactory(project=project, raised_by=owners[0])
    today = timezone.localdate()
    for index, owner in enumerate(owners):
        for due in (-1, 1, 2):
            MitigationActionFactory(
                risk=risk, owner=owner, due_date=today + datetime.timedelta(days=due + index % 2)
            )
    # Beat would send this every hour; send it twice, as two overlapping beats might.
    app.send_task("reminders.tasks.reminders_sweep_task")
    app.send_task("reminders.tasks.reminders_sweep_task")

    def all_sent():
        sent = ReminderDigest.objects.filter(recipient__in=owners, sent_at__isnull=False)
        return sent.count() == len(owners)

    wait_for(all_sent, message="the sweep did not send every owner's digest")
    time.sleep(2)  # let the second sweep finish: it must find nothing to send
    messages = mails_in(mail_dir)
    assert sorted(message["To"] for message in messages) == sorted(o.email for o in owners)
    assert Reminder.objects.filter(recipient__in=owners).count() == 3 * len(owners)


def test_a_worker_killed_mid_render_leaves_a_report_that_another_worker_finishes(worker_queue):
    """kill -9 a real worker while it renders, start another: the report reaches "ready"
    (and is e-mailed once) through the broker's redelivery alone, with no beat running.

    The time limit is 15 s here (300 s in production), so the visibility timeout is 18 s.
    """
    import signal

    from summaries.models import SummaryReport
    from summaries.services import summary_request
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review

    queue, mail_dir, log_path = worker_queue
    limits = {"CELERY_TASK_TIME_LIMIT": "15"}
    project = ProjectFactory()
    people = {}
    for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER):
        people[role] = UserFactory()
        MembershipFactory(project=project, user=people[role], role=role)
    review = make_review(project, acting_user=people[Role.FACILITATOR])

    first = start_worker(queue, mail_dir, log_path, **limits)
    second = None
    try:
        report = summary_request(review=review, acting_user=people[Role.FACILITATOR], send=True)

        def rendering():
            return SummaryReport.objects.filter(pk=report.pk, status="rendering").exists()

        wait_for(rendering, timeout=60, message="the first worker never started rendering")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        report.refresh_from_db()
        assert (report.status, report.attempts) == ("rendering", 1)

        second = start_worker(queue, mail_dir, log_path, **limits)

        def finished():
            report.refresh_from_db()
            return report.status in {"ready", "failed"} and (report.sent_at or report.send_error)

        wait_for(finished, timeout=120, message="the second worker did not finish the report")
        recovered_in = time.monotonic() - killed_at
    finally:
        stop_worker(first)
        if second is not None:
            stop_worker(second)
    assert report.status == "ready", report.error
    assert report.attempts == 2
    assert report.sent_at is not None, report.send_error
    assert len(mails_in(mail_dir)) == 1
    print(f"worker killed mid-render: ready {recovered_in:.0f} s later, 1 e-mail, 0 lost")
