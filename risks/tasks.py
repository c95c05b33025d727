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
# The database being away is retried after 60, 120, 240 s, taking the job's lease included.
RETRY = {"autoretry_for": DATABASE_ERRORS, "retry_backoff": RETRY_BACKOFF_SECONDS,
         "retry_jitter": False, "max_retries": MAX_RETRIES}  # fmt: skip


@shared_task(name="risks.tasks.risk_acceptances_expire_task", **RETRY)
@under_lease("risks-acceptances-expire")
def risk_acceptances_expire_task():
    """Reopen the findings whose acceptance expired; a second run the same day does nothing."""
    reopened = risk_acceptances_expire()
    if reopened:
        logger.info("Risk acceptances expired: %s finding(s) reopened", len(reopened))
    return {"reopened": len(reopened)}


@shared_task(name="risks.tasks.actions_overdue_publish_task", **RETRY)
@under_lease("risks-actions-overdue-publish")
def actions_overdue_publish_task():
    """Tell the webhooks about actions that fell overdue (once per action and due date)."""
    return {"published": len(actions_overdue_publish())}
