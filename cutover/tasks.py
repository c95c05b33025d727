"""Background work of the live cutover: telling owners their step can start, and escalating
late steps to the cutover manager (Celery beat, every few minutes).

Tasks take ids and call a service that records whom it told, so a redelivered or
concurrent task sends nothing twice; mail faults are retried with backoff.
"""

from smtplib import SMTPException

from celery import shared_task

from core.leases import under_lease
from cutover.services import checkpoints, notify, rehearsals

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": MAIL_ERRORS, "retry_backoff": 30, "retry_backoff_max": 600,
         "max_retries": 5}  # fmt: skip


@shared_task(name="cutover.tasks.cutover_steps_ready_notify_task", **RETRY)
def cutover_steps_ready_notify_task(run_id, step_id):
    """A step was done: tell the owners of the steps it unblocked (once each), and close a
    run rolling back whose rollback steps are now all done."""
    told = notify.steps_ready_notify(run_id=run_id, step_id=step_id)
    rolled_back = checkpoints.run_rollback_finish_if_done(run_id=run_id)
    return {"told": told, "rolled_back": rolled_back}


@shared_task(name="cutover.tasks.cutover_late_steps_escalate_task", **RETRY)
@under_lease("cutover-late-steps-escalate")
def cutover_late_steps_escalate_task():
    """Escalate the late steps of running cutovers to their cutover managers (once each)."""
    escalated = notify.late_steps_escalate()
    return {str(run_id): numbers for run_id, numbers in escalated.items()}


@shared_task(name="cutover.tasks.cutover_rehearsal_invitations_send_task", **RETRY)
def cutover_rehearsal_invitations_send_task(rehearsal_id):
    """Mail a planned rehearsal's current invitation (or cancellation) to whoever has not
    had it (once each)."""
    result = rehearsals.rehearsal_invitations_send(rehearsal_id=rehearsal_id)
    return {"sent": len(result.sent), "refused": result.refused}
