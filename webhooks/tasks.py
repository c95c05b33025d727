"""Delivering webhooks: the fan-out of one event, each delivery's tries, the requeue sweep,
and the mail to the project managers when a webhook is disabled.

Tasks take ids and call a service; a delivery records its state, so a task redelivered by
the broker never posts a delivery that succeeded again.
"""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from core.leases import under_lease
from webhooks import mail, services
from webhooks.sending import DeliveryError

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(name="webhooks.tasks.webhook_events_deliver_task")
def webhook_events_deliver_task(event_ids):
    """Enqueue one send task per waiting delivery of the events (a transaction's batch)."""
    return services.webhook_events_deliver(event_ids=event_ids)


@shared_task(bind=True, name="webhooks.tasks.webhook_delivery_send_task")
def webhook_delivery_send_task(self, delivery_id):
    """Try a delivery; connection errors, timeouts and 5xx answers are tried again with
    exponential backoff (``services.retry_countdown``), WEBHOOK_MAX_TRIES tries in all."""
    tries = settings.WEBHOOK_MAX_TRIES
    try:
        return services.webhook_delivery_send(
            delivery_id=delivery_id, last_try=self.request.retries + 1 >= tries
        )
    except DeliveryError as error:
        raise self.retry(
            exc=error,
            countdown=services.retry_countdown(self.request.retries + 1),
            max_retries=tries - 1,
        ) from error


@shared_task(name="webhooks.tasks.webhook_deliveries_requeue_task")
@under_lease("webhooks-requeue")
def webhook_deliveries_requeue_task():
    return len(services.webhook_deliveries_requeue())


@shared_task(
    name="webhooks.tasks.webhook_disabled_notify_task",
    autoretry_for=MAIL_ERRORS, retry_backoff=30, retry_backoff_max=600, max_retries=5,
)  # fmt: skip
def webhook_disabled_notify_task(webhook_id):
    return mail.webhook_disabled_notify(webhook_id=webhook_id)
