"""Summary PDFs of a review: request, render, e-mail, and picking up what got stuck.

A request is recorded at once (status "queued") and the render task is enqueued after
the commit; the web request never renders. A review has at most one report queued or
rendering (a database constraint): a second request, a double click say, joins it. If
the broker is down the request stays queued and ``summaries_requeue_stuck`` (Celery beat,
every 10 minutes) enqueues it again. A render whose worker died is redelivered by the
broker and renders again once the dead worker's claim is older than the task time limit
(no render can still be running under it); the sweep is the backstop. Rendering and
sending are idempotent through the report's recorded state: a ready report is not
rendered again (and a re-render overwrites the one file), a sent report is not sent again.
"""

import datetime
import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import OperationalError as KombuOperationalError

from projects import permissions
from projects.models import Role
from projects.selectors import member_ids, members_in_roles, project_access
from summaries import emails, pdf, tasks
from summaries.models import SummaryReport

logger = logging.getLogger(__name__)

# What publishing raises when the broker is unreachable (kombu wraps transport errors).
BROKER_ERRORS = (KombuOperationalError, ConnectionError, TimeoutError)
# The database itself being down is not a render fault (the task retries).
DATABASE_ERRORS = (OperationalError, InterfaceError)
# A report queued or rendering for longer than this is enqueued again by the sweep.
STUCK_AFTER = datetime.timedelta(minutes=10)
# A report whose render was started this many times without finishing is given up.
MAX_RENDER_ATTEMPTS = 3
IN_FLIGHT = (SummaryReport.Status.QUEUED, SummaryReport.Status.RENDERING)


class RenderClaimHeld(Exception):
    """A redelivered render found the claim of a worker that died seconds ago: no render
    can still run under it after ``retry_in`` seconds (the task time limit)."""

    def __init__(self, retry_in):
        self.retry_in = retry_in
        super().__init__(f"the render claim expires in {retry_in} s")


def render_claim_lifetime():
    """How long a render claim holds: the hard time limit, past which no render runs."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def default_recipients(project):
    """The approvers and the project manager(s) of the project."""
    return members_in_roles(project, [Role.APPROVER, Role.PROJECT_MANAGER])


def _check_recipients(project, recipients):
    recipients = list(recipients)
    members = member_ids(project)
    outsiders = [str(user) for user in recipients if user.pk not in members]
    if outsiders:
        raise ValidationError(
            {"recipients": f"Only project members can receive the summary: {', '.join(outsiders)}."}
        )
    return recipients


# --- Enqueueing ------------------------------------------------------------------------------


def _enqueue(task, report_id):
    """Send a task to the broker; a broker that is down leaves the report as recorded."""
    try:
        task.delay(report_id)
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not enqueue %s for summary %s (%s); the requeue sweep will retry",
            task.name, report_id, error,
        )  # fmt: skip
        return False
    return True


def enqueue_render(report_id):
    return _enqueue(tasks.summary_render_task, report_id)


def enqueue_send(report_id):
    return _enqueue(tasks.summary_send_task, report_id)


# --- Requests from the page ------------------------------------------------------------------


@transaction.atomic
def summary_request(*, review, acting_user, recipients=None, send=False):
    """Record a summary request (queued) and enqueue its render after the commit.

    ``recipients`` default to the approvers and the project manager; with ``send`` the
    PDF is e-mailed to them once it is ready. When a report of the review is already
    queued or rendering (a double click, two people at once), that report is returned
    instead, marked ``was_under_way``, with this request's e-mail added to it.
    """
    project = review.project
    if not permissions.can_request_summary(project_access(user=acting_user, project=project)):
        raise PermissionDenied("Only the facilitator or the project manager requests a summary.")
    recipients = (
        default_recipients(project)
        if recipients is None
        else _check_recipients(project, recipients)
    )
    if send and not recipients:
        raise ValidationError({"recipients": "Choose at least one member to e-mail it to."})
    under_way = _report_under_way(review)
    if under_way is None:
        try:
            with transaction.atomic():
                report = SummaryReport.objects.create(
                    review=review, requested_by=acting_user, send_requested=bool(send)
                )
        except IntegrityError:  # a concurrent request created it first (one in flight)
            under_way = _report_under_way(review)
            if under_way is None:
                raise
        else:
            report.recipients.set(recipients)
            report.was_under_way = False
            transaction.on_commit(lambda: enqueue_render(report.pk))
            return report
    if send:
        under_way.recipients.add(*recipients)
        if not under_way.send_requested:
            under_way.send_requested = True
            under_way.save(update_fields=["send_requested", "updated_at"])
    under_way.was_under_way = True
    return under_way


def _report_under_way(review):
    """The review's report queued or rendering, locked; or None."""
    return (
        SummaryReport.objects.select_for_update()
        .filter(review=review, status__in=IN_FLIGHT)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def summary_send_request(*, report, acting_user, recipients):
    """E-mail a summary to chosen members: now if it is ready, else once it is rendered."""
    report = (
        SummaryReport.objects.select_for_update()
        .select_related("review__project")
        .get(pk=report.pk)
    )
    review = report.review
    if not permissions.can_send_summary(project_access(user=acting_user, project=review.project)):
        raise PermissionDenied("Only the facilitator or the project manager sends the summary.")
    if report.sent_at:
        raise ValidationError(
            f"This summary was already e-mailed on {timezone.localtime(report.sent_at):%d %b %Y at %H:%M}."
            " Request a new summary to send the current state."
        )
    if report.status == SummaryReport.Status.FAILED:
        raise ValidationError("This summary could not be rendered; request a new one.")
    recipients = _check_recipients(review.project, recipients)
    if not recipients:
        raise ValidationError({"recipients": "Choose at least one member to e-mail it to."})
    report.recipients.set(recipients)
    report.send_requested = True
    report.send_error = ""
    report.save(update_fields=["send_requested", "send_error", "updated_at"])
    if report.status == SummaryReport.Status.READY:
        transaction.on_commit(lambda: enqueue_send(report.pk))
    return report


# --- Rendering -------------------------------------------------------------------------------


def _claim_render(report_id, now, *, redelivered=False):
    """Move the report to "rendering" unless it is ready or a live worker renders it now.

    A claim younger than the task time limit may belong to a live render: a first delivery
    leaves it alone; a redelivered task (its worker died) raises RenderClaimHeld to come back
    when it expires. An older claim is dead and is taken over, up to MAX_RENDER_ATTEMPTS;
    a render that kept killing its worker is then marked failed.
    """
    with transaction.atomic():
        report = (
            SummaryReport.objects.select_for_update(of=("self",))
            .select_related("review__project", "review__facilitator")
            .get(pk=report_id)
        )
        if report.status == SummaryReport.Status.READY and report.file:
            return None
        if report.status == SummaryReport.Status.RENDERING and report.started_at:
            expires_at = report.started_at + render_claim_lifetime()
            if expires_at > now:
                if redelivered:
                    raise RenderClaimHeld(math.ceil((expires_at - now).total_seconds()))
                return None
            if report.attempts >= MAX_RENDER_ATTEMPTS:
                _give_up(report, now)
                return None
        report.status = SummaryReport.Status.RENDERING
        report.started_at = now
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "attempts", "error", "updated_at"])
        return report


def _give_up(report, now):
    report.status = SummaryReport.Status.FAILED
    report.error = (
        f"The PDF could not be rendered after {report.attempts} attempts (the worker "
        "stopped while rendering). Request a new summary; if it fails again, tell "
        "the site administrator."
    )
    report.finished_at = now
    report.save(update_fields=["status", "error", "finished_at", "updated_at"])


def _file_name(report):
    review = report.review
    stem = slugify(f"{review.project.name} {review.title}")[:80] or "review"
    return f"{stem}-summary-{report.pk}.pdf"


def summary_render(*, report_id, redelivered=False):
    """Render the report's PDF and store it; or mark it failed with a readable message.

    Idempotent: a ready report is left as it is; a render that runs again (a redelivered
    task, the requeue sweep) overwrites the same file name, so one file is kept.
    ``redelivered``: the broker handed the task back because its worker died (see
    ``_claim_render``).
    """
    now = timezone.now()
    report = _claim_render(report_id, now, redelivered=redelivered)
    if report is None:
        return SummaryReport.objects.get(pk=report_id)
    try:
        document, pages = pdf.render_summary(report.review, generated_at=now)
    except DATABASE_ERRORS:
        raise  # the database is down, not the render: the task retries (still "rendering")
    except Exception as error:  # any render fault must end as "failed", never a stuck spinner
        logger.exception("Summary %s could not be rendered", report_id)
        message = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        SummaryReport.objects.filter(pk=report_id).update(
            status=SummaryReport.Status.FAILED,
            error=(
                f"The PDF could not be rendered ({type(error).__name__}"
                f"{': ' + message if message else ''}). Request a new summary; "
                "if it fails again, tell the site administrator."
            ),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return SummaryReport.objects.get(pk=report_id)
    name = report.file.field.generate_filename(report, _file_name(report))
    storage = report.file.storage
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(document))
    with transaction.atomic():
        locked = SummaryReport.objects.select_for_update().get(pk=report_id)
        if locked.file and locked.file.name != stored:
            locked.file.storage.delete(locked.file.name)
        locked.file.name = stored
        locked.pages = pages
        locked.status = SummaryReport.Status.READY
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["file", "pages", "status", "finished_at", "error", "updated_at"])
        if locked.send_requested and locked.sent_at is None:
            transaction.on_commit(lambda: enqueue_send(report_id))
    return locked


# --- E-mail ----------------------------------------------------------------------------------


def summary_send(*, report_id):
    """E-mail a ready summary to its recipients, once.

    The report row stays locked while the mail goes, so two sends at once cannot both
    send; ``sent_at`` is set in the same transaction. SMTP errors propagate (the task
    retries them); the report keeps its PDF whatever happens.
    """
    with transaction.atomic():
        report = (
            SummaryReport.objects.select_for_update()
            .select_related("review__project", "requested_by")
            .get(pk=report_id)
        )
        if report.sent_at is not None or report.status != SummaryReport.Status.READY:
            return report
        message = emails.summary_email(report)
        if not message.to:
            report.send_error = "Nobody to send it to: choose recipients among the members."
            report.save(update_fields=["send_error", "updated_at"])
            return report
        message.send()
        report.sent_at = timezone.now()
        report.send_error = ""
        report.save(update_fields=["sent_at", "send_error", "updated_at"])
    return report


def summary_send_failed(*, report_id, error, attempts):
    """After the last retry: the report shows it was not sent and why; the PDF stays."""
    SummaryReport.objects.filter(pk=report_id, sent_at__isnull=True).update(
        send_error=(
            f"Not sent: the mail server refused or could not be reached after {attempts} "
            f"attempts ({type(error).__name__}: {str(error)[:200]}). The PDF is kept; "
            "send it again when mail works."
        ),
        updated_at=timezone.now(),
    )


# --- The periodic sweep ----------------------------------------------------------------------


def summaries_requeue_stuck(*, now=None, older_than=STUCK_AFTER):
    """Enqueue again the reports stuck queued or rendering, and ready ones whose requested
    send never ran (the broker was down). Returns the ids enqueued."""
    now = now or timezone.now()
    before = now - older_than
    stuck = list(
        SummaryReport.objects.filter(
            Q(status=SummaryReport.Status.QUEUED, updated_at__lt=before)
            | Q(status=SummaryReport.Status.RENDERING, started_at__lt=before)
        ).values_list("pk", "attempts")
    )
    enqueued = []
    for report_id, attempts in stuck:
        if attempts >= MAX_RENDER_ATTEMPTS:
            SummaryReport.objects.filter(
                pk=report_id,
                status__in=[SummaryReport.Status.QUEUED, SummaryReport.Status.RENDERING],
            ).update(
                status=SummaryReport.Status.FAILED,
                error=(
                    f"The PDF could not be rendered after {attempts} attempts (the worker "
                    "stopped while rendering). Request a new summary; if it fails again, tell "
                    "the site administrator."
                ),
                finished_at=now,
                updated_at=now,
            )
            continue
        # Touch it, so the next sweep waits another period before enqueuing it again.
        SummaryReport.objects.filter(pk=report_id).update(updated_at=now)
        if enqueue_render(report_id):
            enqueued.append(report_id)
    unsent = SummaryReport.objects.filter(
        status=SummaryReport.Status.READY,
        send_requested=True,
        sent_at__isnull=True,
        send_error="",
        updated_at__lt=before,
    ).values_list("pk", flat=True)
    for report_id in list(unsent):
        SummaryReport.objects.filter(pk=report_id).update(updated_at=now)
        if enqueue_send(report_id):
            enqueued.append(report_id)
    return enqueued
