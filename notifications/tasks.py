"""Background work of notifications: the e-mail of one notification, sent once."""

from smtplib import SMTPException

from celery import shared_task

from notifications import services

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="notifications.tasks.notification_email_send_task",
    autoretry_for=MAIL_ERRORS, retry_backoff=30, retry_backoff_max=1800, max_retries=5,
)  # fmt: skip
def notification_email_send_task(notification_id):
    """E-mail one notification to the person who wants it at once (once)."""
    return services.notification_email_send(notification_id=notification_id)
