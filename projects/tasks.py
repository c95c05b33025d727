"""Background work of the projects app: e-mailing invitations."""

from smtplib import SMTPException

from celery import shared_task

from projects import invitations_mail


@shared_task(
    name="projects.tasks.invitation_send_task",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
)
def invitation_send_task(invitation_id, nonce):
    """E-mail the invitation's link, if it is still pending with this nonce (a resend made a
    newer one, which its own task sends)."""
    return invitations_mail.invitation_send(invitation_id=invitation_id, nonce=nonce)
