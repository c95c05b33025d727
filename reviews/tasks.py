"""Background work of reviews: mailing workshop invitations after the change is committed.

The task takes an id and calls the service, which records each mail it sends (one per
person per sequence), so a redelivered or concurrent task sends nothing twice; passing
mail faults are retried with backoff, up to a cap.
"""

from smtplib import SMTPException

from celery import shared_task

from reviews.services.workshop_invitations import workshop_invitations_send

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="reviews.tasks.workshop_invitations_send_task",
    autoretry_for=MAIL_ERRORS, retry_backoff=30, retry_backoff_max=600, max_retries=5,
)  # fmt: skip
def workshop_invitations_send_task(workshop_id):
    """Mail the workshop's current invitation (or cancellation) to whoever has not had it."""
    result = workshop_invitations_send(workshop_id=workshop_id)
    return {"sent": len(result.sent), "refused": result.refused}
