"""Leases: at most one run of a periodic job at a time, across every host.

Exactly one Celery beat schedules the periodic jobs. A second beat started by mistake
(two hosts running beat, a scaled beat service) would enqueue each job twice, and two
workers would run both copies at the same time. Each beat task therefore runs under a
lease named after its job: a ``Lease`` row taken by one conditional UPDATE that succeeds
only when the lease is free or expired, so of two runs taking it at once exactly one
wins, on PostgreSQL and SQLite alike (no advisory locks). The other run does nothing and
says so, in its result and in the log.

The lease is released when the job ends, however it ends. A job killed outright (its
worker process gone, the hard time limit) cannot release it, so a lease also expires: the
next run takes it over once its time to live has passed. That time is longer than any
task may run (the worker kills a task at CELERY_TASK_TIME_LIMIT), so the lease of a job
still running never expires under it.

The database's clock decides when a lease expires, so hosts whose clocks disagree still
agree on who holds it. The services the jobs call take no lease: tests and management
commands call them directly.
"""

import datetime
import functools
import logging
import os
import socket
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now

from core.models import Lease

logger = logging.getLogger(__name__)

# Beyond the hard time limit: the longest a task can run before its worker kills it.
TTL_MARGIN = datetime.timedelta(minutes=1)
NEVER_HELD = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class LeaseHeld(Exception):
    """Another run holds the lease: this one must do nothing."""

    def __init__(self, lease):
        self.lease = lease
        super().__init__(
            f"{lease.name} is already running ({lease.holder or 'unknown holder'}, taken at "
            f"{lease.taken_at:%Y-%m-%d %H:%M:%S} UTC, held until "
            f"{lease.expires_at:%H:%M:%S} at the latest); this run does nothing"
        )


def default_ttl():
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + TTL_MARGIN


def _holder():
    return f"{socket.gethostname()} pid {os.getpid()}"[:200]


def lease_take(*, name, ttl=None):
    """Take the lease ``name`` for ``ttl`` (default: longer than any task runs) and return
    the token that releases it; raise LeaseHeld when another run holds it."""
    ttl = ttl or default_ttl()
    token = uuid.uuid4().hex
    # The row exists once per job; the UPDATE below is what decides.
    Lease.objects.bulk_create([Lease(name=name, expires_at=NEVER_HELD)], ignore_conflicts=True)
    taken = Lease.objects.filter(name=name, expires_at__lte=Now()).update(
        token=token,
        holder=_holder(),
        taken_at=Now(),
        expires_at=ExpressionWrapper(Now() + ttl, output_field=DateTimeField()),
    )
    if not taken:
        raise LeaseHeld(Lease.objects.get(name=name))
    return token


def lease_release(*, name, token):
    """Free the lease if this token still holds it (a run that outlived its lease leaves
    the run that took it over alone). Returns whether it did.

    A database that cannot be reached leaves the lease to expire on its own: the error
    the job itself raised (the same outage, usually) is the one worth reporting.
    """
    try:
        return bool(Lease.objects.filter(name=name, token=token).update(token="", expires_at=Now()))
    except DatabaseError as error:
        logger.warning("Lease %s not released (%s); it expires on its own", name, error)
        return False


@contextmanager
def lease_held(name, *, ttl=None):
    """Hold the lease ``name`` for the block; raise LeaseHeld before it when another run
    holds it. Released when the block ends, by an exception too."""
    token = lease_take(name=name, ttl=ttl)
    try:
        yield
    finally:
        lease_release(name=name, token=token)


def under_lease(name):
    """Run the decorated (beat) task under the lease ``name``. A run that finds the lease
    held returns ``{"skipped": why}`` and logs it, without running the job. A database
    error while taking the lease is raised, for the task to retry like its own."""

    def decorate(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            try:
                token = lease_take(name=name)
            except LeaseHeld as held:
                logger.warning("%s (is a second beat running?)", held)
                return {"skipped": str(held)}
            try:
                return job(*args, **kwargs)
            finally:
                lease_release(name=name, token=token)

        return run

    return decorate
