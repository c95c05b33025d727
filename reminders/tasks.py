"""Background work of the reminders app: the hourly follow-up sweep (Celery beat)."""

import logging
from smtplib import SMTPException

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError

from core.leases import under_lease
from reminders.services import reminders_sweep

logger = logging.getLogger(__name__)

# Faults worth another try: the mail relay or the broker being briefly away. Anything else
# is a bug to look at, not to repeat. Digests a failed sweep could not send stay recorded
# as unsent, and the next sweep sends them even after the retries run out.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError, BrokerError)
RETRY_BACKOFF_SECONDS = 60
RETRY_BACKOFF_CAP_SECONDS = 15 * 60
MAX_RETRIES = 3


@shared_task(bind=True, name="reminders.tasks.reminders_sweep_task", max_retries=MAX_RETRIES)
@under_lease("reminders-sweep")
def reminders_sweep_task(self):
    """Send the digests that are due; safe to run twice at once and after downtime."""
    try:
        result = reminders_sweep()
    except TRANSIENT_ERRORS as error:
        countdown = min(RETRY_BACKOFF_CAP_SECONDS, RETRY_BACKOFF_SECONDS * 2**self.request.retries)
        logger.warning("Reminder sweep: %s; retrying in %ss", error, countdown)
        raise self.retry(exc=error, countdown=countdown) from error
    return {
        "today": result.today.isoformat(),
        "digests_sent": result.digests_sent,
        "reminders": result.reminders_recorded,
        "held": result.held,
    }
