"""Background work of the risks app (Celery beat): expired risk acceptances reopen; overdue
actions reach the project's webhooks."""

import logging

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from core.leases import under_lease
from risks.services import risk_acceptances_expire
from risks.services.overdue import actions_overdue_publish

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (DatabaseError, InterfaceError)
RETRY_BACKOFF_SECONDS = 60
MAX_RETRIES = 3


@shared_task(bind=True, name="risks.tasks.risk_acceptances_expire_task", max_retries=MAX_RETRIES)
@under_lease("risks-acceptances-expire")
def risk_acceptances_expire_task(self):
    """Reopen the findings whose acceptance expired; a second run the same day does nothing."""
    try:
        reopened = risk_acceptances_expire()
    except DATABASE_ERRORS as error:
        countdown = RETRY_BACKOFF_SECONDS * 2**self.request.retries
        logger.warning("Risk acceptance expiry: %s; retrying in %ss", error, countdown)
        raise self.retry(exc=error, countdown=countdown) from error
    if reopened:
        logger.info("Risk acceptances expired: %s finding(s) reopened", len(reopened))
    return {"reopened": len(reopened)}


@shared_task(bind=True, name="risks.tasks.actions_overdue_publish_task", max_retries=MAX_RETRIES)
@under_lease("risks-actions-overdue-publish")
def actions_overdue_publish_task(self):
    """Tell the webhooks about actions that fell overdue (once per action and due date)."""
    try:
        published = actions_overdue_publish()
    except DATABASE_ERRORS as error:
        raise self.retry(
            exc=error, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries
        ) from error
    return {"published": len(published)}
