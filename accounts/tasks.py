"""Background work of the accounts app: the password reset mail."""

from smtplib import SMTPException

from celery import shared_task

from accounts import services

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="accounts.tasks.password_reset_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=4,
)
def password_reset_send_task(self, email):
    """Send the reset mail to ``email`` if it is an account's; retry mail faults (waits of
    30 s to 4 minutes, below the broker's visibility timeout)."""
    try:
        services.password_reset_send(email=email)
    except MAIL_ERRORS as error:
        raise self.retry(exc=error, countdown=min(240, 30 * 2**self.request.retries)) from error
