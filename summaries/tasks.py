"""Background work of the summaries app: summary PDFs (render, e-mail, requeue what got stuck).

Each task takes the report id, fetches and calls a service; the services are idempotent
through the report's recorded state, so a redelivered task (``acks_late``, and
``reject_on_worker_lost`` when a worker process dies) is harmless.
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from core.leases import under_lease
from summaries import services

logger = logging.getLogger(__name__)

# Only these are worth another try: the mail relay refusing or being unreachable.
MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)
# Waits of 30 s, 1, 2, 4 minutes, then 5 minutes: about half an hour in all. Each wait stays
# below the broker's visibility timeout (settings), or Redis would hand the waiting retry
# to a second worker.
SEND_MAX_RETRIES = 8
SEND_BACKOFF_SECONDS = 30
SEND_BACKOFF_CAP_SECONDS = 5 * 60
# A redelivered render that finds a dead worker's fresh claim comes back when it expires;
# a render or a send that finds the database down comes back with the same waits as mail
# faults (30 s ... 5 minutes); past the last retry the beat sweep is the backstop.
RENDER_MAX_RETRIES = 8
DATABASE_ERRORS = (DatabaseError, InterfaceError)


def backoff(retries, *, base, cap):
    """Exponential backoff: base, 2 x base, 4 x base ... never more than cap (seconds)."""
    return min(cap, base * 2**retries)


def _wait(task):
    return backoff(task.request.retries, base=SEND_BACKOFF_SECONDS, cap=SEND_BACKOFF_CAP_SECONDS)


def _redelivered(task):
    """Whether an earlier run of this task may have died holding the render claim: the
    broker redelivered it (its worker died), or it is a retry of a run that failed."""
    redelivered = (task.request.delivery_info or {}).get("redelivered")
    return bool(redelivered or task.request.retries)


@shared_task(
    bind=True,
    name="summaries.tasks.summary_render_task",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=RENDER_MAX_RETRIES,
)
def summary_render_task(self, report_id):
    """queued -> rendering -> ready (file stored, pages counted) or failed (readable error).

    A render error is not retried: it is not transient; the report says what went wrong.
    The database being down is: the task comes back later. A redelivered or retried task
    (an earlier run died mid-render) renders again once no render can still be running
    under that run's claim, that is once the claim is older than the hard time limit;
    until then it waits.
    """
    try:
        report = services.summary_render(report_id=report_id, redelivered=_redelivered(self))
    except services.RenderClaimHeld as held:
        raise self.retry(countdown=held.retry_in) from held
    except DATABASE_ERRORS as error:
        logger.warning("Summary %s: database unavailable (%s); retrying", report_id, error)
        raise self.retry(exc=error, countdown=_wait(self)) from error
    return report.status


@shared_task(
    bind=True,
    name="summaries.tasks.summary_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=SEND_MAX_RETRIES,
)
def summary_send_task(self, report_id):
    """E-mail the PDF to the report's recipients once; retry mail faults with backoff, then
    record that it was not sent (the PDF stays)."""
    try:
        services.summary_send(report_id=report_id)
    except DATABASE_ERRORS as error:
        logger.warning("Summary %s: database unavailable (%s); retrying", report_id, error)
        raise self.retry(exc=error, countdown=_wait(self)) from error
    except MAIL_ERRORS as error:
        attempts = self.request.retries + 1
        if self.request.retries >= self.max_retries:
            logger.warning("Summary %s not sent after %s attempts: %s", report_id, attempts, error)
            services.summary_send_failed(report_id=report_id, error=error, attempts=attempts)
            return "not sent"
        countdown = backoff(
            self.request.retries, base=SEND_BACKOFF_SECONDS, cap=SEND_BACKOFF_CAP_SECONDS
        )
        raise self.retry(exc=error, countdown=countdown) from error
    return "sent"


@shared_task(name="summaries.tasks.summaries_requeue_stuck_task")
@under_lease("summaries-requeue-stuck")
def summaries_requeue_stuck_task():
    """Beat, every 10 minutes: enqueue again what a broker outage or a dead worker left."""
    try:
        return services.summaries_requeue_stuck()
    except BrokerError:
        logger.warning("Broker still down; stuck summaries wait for the next sweep")
        return []
