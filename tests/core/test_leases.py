"""Leases: at most one run of a periodic job at a time (core/leases.py)."""

import datetime
import os
import threading

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from core.leases import LeaseHeld, default_ttl, lease_held, lease_release, lease_take, under_lease
from core.models import Lease
from tests.conftest import need_postgres

pytestmark = pytest.mark.django_db


def expire(name):
    """What a crashed holder leaves behind once its time to live has passed."""
    Lease.objects.filter(name=name).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_lease_take_refuses_a_second_taker_and_names_the_holder():
    lease_take(name="sweep")
    with pytest.raises(LeaseHeld, match=r"sweep is already running \(.+ pid \d+, taken at"):
        lease_take(name="sweep")


def test_lease_take_holds_for_longer_than_any_task_may_run(settings):
    settings.CELERY_TASK_TIME_LIMIT = 300
    lease_take(name="sweep")
    lease = Lease.objects.get(name="sweep")
    held_for = lease.expires_at - lease.taken_at
    assert default_ttl() == held_for
    assert held_for > datetime.timedelta(seconds=300)


def test_leases_of_different_jobs_do_not_exclude_each_other():
    lease_take(name="sweep")
    assert lease_take(name="requeue")


def test_a_released_lease_is_taken_by_the_next_run():
    token = lease_take(name="sweep")
    assert lease_release(name="sweep", token=token)
    assert lease_take(name="sweep") != token


def test_an_expired_lease_of_a_crashed_run_is_taken_over():
    lease_take(name="sweep")  # its run died without releasing
    expire("sweep")
    assert lease_take(name="sweep")
    with pytest.raises(LeaseHeld):
        lease_take(name="sweep")


def test_a_run_that_outlived_its_lease_does_not_release_the_one_that_took_over():
    late = lease_take(name="sweep")
    expire("sweep")
    lease_take(name="sweep")
    assert not lease_release(name="sweep", token=late)
    with pytest.raises(LeaseHeld):
        lease_take(name="sweep")


def test_lease_held_releases_the_lease_after_an_exception():
    with pytest.raises(ZeroDivisionError), lease_held("sweep"):
        1 / 0  # noqa: B018
    with lease_held("sweep"):
        assert Lease.objects.get(name="sweep").token


def test_under_lease_runs_the_job_when_the_lease_is_free_and_skips_it_when_held(caplog):
    runs = []

    @under_lease("sweep")
    def job(number):
        runs.append(number)
        return number

    assert job(1) == 1
    with lease_held("sweep"):
        result = job(2)
    assert runs == [1]
    assert result["skipped"].startswith("sweep is already running")
    assert "this run does nothing" in caplog.text
    assert job(3) == 3


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_of_many_runs_taking_a_lease_at_once_on_postgresql_exactly_one_wins():
    need_postgres()
    barrier = threading.Barrier(6)
    won, refused, errors = [], [], []

    def take():
        try:
            barrier.wait()
            won.append(lease_take(name="sweep"))
        except LeaseHeld:
            refused.append(True)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (len(won), len(refused)) == (1, 5)
    assert Lease.objects.get(name="sweep").token == won[0]


def test_the_admin_shows_who_holds_each_lease(admin_client):
    lease_take(name="reminders-sweep")
    response = admin_client.get(reverse("admin:core_lease_changelist"))
    assert "reminders-sweep" in response.text
    assert f"pid {os.getpid()}" in response.text
    change = admin_client.get(reverse("admin:core_lease_change", args=["reminders-sweep"]))
    assert change.status_code == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_job_that_loses_the_database_fails_with_its_own_error_and_its_lease_expires():
    """The release cannot reach the database either: the job's error is the one raised."""
    need_postgres()

    @under_lease("sweep")
    def job():
        with connection.cursor() as cursor:  # what a database restart does to the job
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with pytest.raises(OperationalError, match="terminating connection"):
        job()
    connection.close()
    lease = Lease.objects.get(name="sweep")
    assert lease.token  # still held: it expires on its own
    expire("sweep")
    assert lease_take(name="sweep")
