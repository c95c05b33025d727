"""Background work of the decisions app: telling people a vote opened or a decision stands.

Each task takes the decision's id and calls a service that records when it told people,
so a redelivered task sends nothing twice; mail faults are retried with backoff.
"""

from smtplib import SMTPException

from celery import shared_task

from decisions import notifications

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": MAIL_ERRORS, "retry_backoff": 30, "retry_backoff_max": 1800,
         "max_retries": 5}  # fmt: skip


@shared_task(name="decisions.tasks.decision_vote_opened_notify_task", **RETRY)
def decision_vote_opened_notify_task(decision_id):
    """E-mail the project's approvers that the go / no-go vote is open (once)."""
    return notifications.decision_vote_opened_notify(decision_id=decision_id)


@shared_task(name="decisions.tasks.decision_recorded_notify_task", **RETRY)
def decision_recorded_notify_task(decision_id):
    """E-mail the project's members the decision that was recorded (once)."""
    return notifications.decision_recorded_notify(decision_id=decision_id)
