"""Two beats by mistake: each beat job runs under its lease (core/leases.py), so the copy a
second beat enqueues does nothing while the first runs, and says so."""

import datetime
import importlib
import threading
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from core.leases import lease_held, lease_take
from core.models import Lease
from projects.models import Role
from reminders.digests import DigestSendError
from reminders.models import ReminderDigest
from reminders.tasks import reminders_sweep_task
from summaries.models import SummaryReport
from summaries.tasks import summaries_requeue_stuck_task
from tests.conftest import need_postgres
from tests.factories import (
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    make_digest_owners,
    make_review,
    make_summary,
)

F = Role.FACILITATOR
SCHEDULE = django_settings.CELERY_BEAT_SCHEDULE


def beat_task(job):
    module, name = SCHEDULE[job]["task"].rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def skipped(result):
    return isinstance(result, dict) and "skipped" in result


def stuck_summaries(count):
    """``count`` reports queued an hour ago whose render never ran (one per review)."""
    facilitator = UserFactory()
    project = ProjectFactory()
    MembershipFactory(project=project, user=facilitator, role=F)
    reports = [
        make_summary(
            make_review(project, acting_user=facilitator, title=f"Review {n}"),
            requested_by=facilitator,
            status="queued",
        )
        for n in range(count)
    ]
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    SummaryReport.objects.filter(pk__in=[r.pk for r in reports]).update(updated_at=an_hour_ago)
    return reports


# --- Every beat job, one run holding its lease (deterministic, any database) ---------------


@pytest.mark.parametrize("job", sorted(SCHEDULE))
def test_every_beat_job_does_nothing_while_another_run_holds_its_lease(db, job, caplog):
    task = beat_task(job)
    with lease_held(job):
        result = task()
    assert result["skipped"].startswith(f"{job} is already running")
    assert "this run does nothing (is a second beat running?)" in caplog.text
    assert not skipped(task())  # the lease was released: the next run runs


def test_a_reminder_sweep_while_another_holds_the_lease_sends_nothing_and_the_next_sends(db):
    owners = make_digest_owners(2)
    with lease_held("reminders-sweep"):
        assert skipped(reminders_sweep_task())
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()
    assert reminders_sweep_task()["digests_sent"] == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(o.email for o in owners)


def test_a_stuck_summary_sweep_while_another_holds_the_lease_leaves_the_reports_alone(db):
    (report,) = stuck_summaries(1)
    with lease_held("summaries-requeue-stuck"):
        assert skipped(summaries_requeue_stuck_task())
    report.refresh_from_db()
    assert report.status == "queued"
    assert report.updated_at < timezone.now() - datetime.timedelta(minutes=30)  # not touched
    assert summaries_requeue_stuck_task() == [report.pk]


def test_a_crashed_beat_job_s_expired_lease_is_taken_over_by_the_next_run(db):
    make_digest_owners(1)
    lease_take(name="reminders-sweep")  # its worker was killed: never released
    assert skipped(reminders_sweep_task())
    Lease.objects.filter(name="reminders-sweep").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert reminders_sweep_task()["digests_sent"] == 1
    assert len(mail.outbox) == 1


def test_the_lease_is_released_when_the_job_fails(db, settings):
    make_digest_owners(1)
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.FailingSMTP"
    with pytest.raises((SMTPServerDisconnected, DigestSendError)):
        reminders_sweep_task()
    lease = Lease.objects.get(name="reminders-sweep")
    assert lease.token == ""
    assert lease.expires_at <= timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_sweep_task()["digests_sent"] == 1


# --- Two beats at once on PostgreSQL (threads) ----------------------------------------------


def run_twice_at_once(task, monkeypatch, module, step):
    """Run ``task`` in two threads, the second while the first is inside ``module.step`` (a
    step of its job, paused there until the second ended). Returns (first's result,
    second's result, the arguments of every call of the step)."""
    inside, second_ended = threading.Event(), threading.Event()
    calls, results, errors = [], {}, []
    real_step = getattr(module, step)

    def paused_step(*args, **kwargs):
        calls.append(args)
        if not inside.is_set():
            inside.set()
            second_ended.wait(timeout=60)
        return real_step(*args, **kwargs)

    def run(which, after=None, then=None):
        try:
            if after is not None:
                assert after.wait(timeout=60), "the first run never reached its step"
            results[which] = task()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            if then is not None:
                then.set()
            connection.close()

    monkeypatch.setattr(module, step, paused_step)
    threads = [
        threading.Thread(target=run, args=("first",)),
        threading.Thread(target=run, args=("second", inside, second_ended)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results["first"], results["second"], calls


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_reminder_sweeps_at_once_on_postgresql_send_each_digest_once(monkeypatch):
    need_postgres()
    from reminders import services

    owners = make_digest_owners(6)
    first, second, _ = run_twice_at_once(
        reminders_sweep_task, monkeypatch, services, "send_digests"
    )
    assert first["digests_sent"] == len(owners)
    assert second["skipped"].startswith("reminders-sweep is already running")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(o.email for o in owners)
    assert ReminderDigest.objects.filter(sent_at__isnull=False).count() == len(owners)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_stuck_summary_sweeps_at_once_on_postgresql_enqueue_each_report_once(monkeypatch):
    need_postgres()
    from summaries import services

    reports = stuck_summaries(3)
    first, second, enqueued = run_twice_at_once(
        summaries_requeue_stuck_task, monkeypatch, services, "enqueue_render"
    )
    ids = sorted(report.pk for report in reports)
    assert sorted(report_id for (report_id,) in enqueued) == ids
    assert sorted(first) == ids
    assert second["skipped"].startswith("summaries-requeue-stuck is already running")
    assert set(SummaryReport.objects.values_list("status", flat=True)) == {"ready"}
