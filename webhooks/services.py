"""Writes of webhooks: the project manager's configuration, publishing events, delivering.

- ``webhook_create`` / ``webhook_update`` / ``webhook_secret_rotate`` / ``webhook_disable``
  / ``webhook_enable`` / ``webhook_delete`` / ``webhook_test_send``: the project manager.
- ``webhook_event_publish``: the one call the other apps make from their services. It
  records the event and one delivery per subscribed enabled webhook (three statements,
  whatever the number of webhooks); once the transaction commits, its events go to the
  broker together (one fan-out task per 200 events), and the fan-out task enqueues one
  ``webhook_delivery_send_task`` per delivery: the request never waits for a receiver.
- ``webhook_delivery_send``: one attempt of one delivery, called by its task. A delivery
  that succeeded is never sent again (its recorded state); the attempt is claimed first,
  so a redelivered task does not post twice at once.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from core.http import absolute_url
from core.text import inert_text
from projects import permissions
from projects.selectors import project_access
from webhooks import payloads, sending
from webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventType,
    new_secret,
)

logger = logging.getLogger(__name__)

BROKER_ERRORS = (KombuOperationalError, ConnectionError, TimeoutError)
# A claimed delivery whose worker died is claimed again after this (longer than the timeout).
CLAIM_LEASE_SECONDS = 120
# Backoff between tries of one delivery: 30 s, 1 min, 2 min, 4 min ... capped.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60


def retry_countdown(attempt):
    """Seconds to wait before try ``attempt + 1`` after ``attempt`` tries failed (1-based)."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)


# --- The project manager's configuration ------------------------------------------------------


def _require_manager(project, acting_user):
    if not permissions.can_manage_webhooks(project_access(user=acting_user, project=project)):
        raise PermissionDenied("Only the project manager configures the project's webhooks.")


def _clean(fields):
    """Validate what the form gives (also for callers other than the form)."""
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the webhook a name, e.g. the channel it posts to."
    url = (fields.get("url") or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        errors["url"] = "Only http:// and https:// addresses receive webhooks."
    events = list(dict.fromkeys(fields.get("events") or ()))
    known = {value for value, _label in SUBSCRIBABLE_EVENTS}
    if not events or set(events) - known:
        errors["events"] = "Choose at least one event from the list."
    if errors:
        raise ValidationError(errors)
    return {"name": name[:100], "url": url, "format": fields["format"], "events": events}


@transaction.atomic
def webhook_create(*, project, acting_user, name, url, format, events):
    _require_manager(project, acting_user)
    fields = _clean({"name": name, "url": url, "format": format, "events": events})
    webhook = Webhook(project=project, created_by=acting_user, **fields)
    webhook.full_clean(exclude=["project", "created_by"])
    webhook.save()
    return webhook


def _lock(webhook):
    return Webhook.objects.select_for_update().select_related("project").get(pk=webhook.pk)


@transaction.atomic
def webhook_update(*, webhook, acting_user, name, url, format, events):
    _require_manager(webhook.project, acting_user)
    locked = _lock(webhook)
    for name_, value in _clean(
        {"name": name, "url": url, "format": format, "events": events}
    ).items():
        setattr(locked, name_, value)
    locked.full_clean(exclude=["project", "created_by"])
    locked.save()
    return locked


@transaction.atomic
def webhook_secret_rotate(*, webhook, acting_user):
    """A new secret: deliveries from now on are signed with it."""
    _require_manager(webhook.project, acting_user)
    locked = _lock(webhook)
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "updated_at"])
    return locked


@transaction.atomic
def webhook_disable(*, webhook, acting_user, reason=""):
    _require_manager(webhook.project, acting_user)
    locked = _lock(webhook)
    if locked.is_enabled:
        locked.is_enabled = False
        locked.disabled_at = timezone.now()
        locked.disabled_reason = (reason or "").strip()[:250] or f"Disabled by {acting_user}."
        locked.save(update_fields=["is_enabled", "disabled_at", "disabled_reason", "updated_at"])
    return locked


@transaction.atomic
def webhook_enable(*, webhook, acting_user):
    """Enable again; the count of failures in a row starts from zero."""
    _require_manager(webhook.project, acting_user)
    locked = _lock(webhook)
    locked.is_enabled = True
    locked.disabled_at = None
    locked.disabled_reason = ""
    locked.consecutive_failures = 0
    locked.save(
        update_fields=[
            "is_enabled", "disabled_at", "disabled_reason", "consecutive_failures", "updated_at"
        ]
    )  # fmt: skip
    return locked


@transaction.atomic
def webhook_delete(*, webhook, acting_user):
    _require_manager(webhook.project, acting_user)
    _lock(webhook).delete()


def webhook_test_send(*, webhook, acting_user):
    """Send a test event to this one webhook (enabled or not), now, through the usual task."""
    _require_manager(webhook.project, acting_user)
    project = webhook.project
    return _publish_to(
        project,
        [webhook.pk],
        event=WebhookEventType.TEST,
        title=f"Test event from {project.name}",
        text=f"{acting_user} sent a test event to the webhook “{webhook.name}”. "
        "If you can read this, the webhook works.",
        url=absolute_url(project.get_absolute_url()),
        actor=str(acting_user),
        data={"webhook": webhook.name},
    )


# --- Publishing ---------------------------------------------------------------------------------


def subscribed_webhook_ids(project_id, event):
    """Enabled webhooks of the project that want ``event`` (the JSON list is read here, not
    queried, so SQLite and PostgreSQL agree; a project has a handful)."""
    rows = (
        Webhook.objects.filter(project_id=project_id, is_enabled=True)
        .order_by()
        .values_list("pk", "events")
    )
    return [pk for pk, events in rows if event in (events or ())]


def projects_subscribed_to(event):
    """Ids of the projects with an enabled webhook wanting ``event`` (for the beat tasks)."""
    rows = Webhook.objects.filter(is_enabled=True).order_by().values_list("project_id", "events")
    return {project_id for project_id, events in rows if event in (events or ())}


def published_once_keys(project_ids, keys):
    """Which of ``keys`` were published already in the projects (a set)."""
    found = set()
    keys = list(keys)
    for start in range(0, len(keys), 500):
        found.update(
            WebhookEvent.objects.filter(
                project_id__in=project_ids, once_key__in=keys[start : start + 500]
            ).values_list("once_key", flat=True)
        )
    return found


def webhook_event_publish(
    *, project, event, title, text="", url="", actor=None, data=None, once_key=""
):
    """Tell the project's webhooks that ``event`` happened; call it from a service.

    ``title`` and ``text`` say what happened in a sentence or two (text members typed has
    its foreign addresses defanged); ``url`` is the page to open (a path of this site or an
    absolute address); ``data`` is extra JSON for generic receivers. ``once_key`` publishes
    at most once per project and key (e.g. an action overdue for one due date). Returns the
    WebhookEvent, or None when no webhook wants it (nothing is written then).
    """
    if event not in WebhookEventType.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    webhook_ids = subscribed_webhook_ids(project.pk, event)
    if not webhook_ids:
        return None
    return _publish_to(
        project, webhook_ids, event=event, title=title, text=text, url=url,
        actor=actor, data=data, once_key=once_key,
    )  # fmt: skip


def _publish_to(project, webhook_ids, *, event, title, text, url, actor, data, once_key=""):
    if url and url.startswith("/"):
        url = absolute_url(url)
    row = WebhookEvent(
        project=project, event=event,
        title=inert_text(title, keep_newlines=False)[:300], text=inert_text(text or ""),
        url=url or "", actor=str(actor or "")[:200], data=data or {}, once_key=once_key,
    )  # fmt: skip
    with transaction.atomic(savepoint=False):
        if once_key:
            try:
                with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's
                    row.save(force_insert=True)  # transaction usable
            except IntegrityError:
                if WebhookEvent.objects.filter(project=project, once_key=once_key).exists():
                    return None  # published before
                raise
        else:
            row.save(force_insert=True)
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(webhook_id=pk, event=row) for pk in webhook_ids]
        )
    _enqueue_after_commit(str(row.pk))
    return row


class _EventBatch:
    """The events one transaction published, enqueued together once it commits."""

    def __init__(self, event_id):
        self.event_ids = [event_id]
        self.sent = False

    def __call__(self):
        self.sent = True
        enqueue_events(self.event_ids)


def _enqueue_after_commit(event_id):
    """One on-commit callback per transaction, however many events it publishes: the
    latest callback registered is this transaction's batch while nothing came after it. (An
    id whose savepoint rolls back may stay in the batch: its fan-out finds no delivery.)"""
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        _savepoints, callback, _robust = connection.run_on_commit[-1]
        if isinstance(callback, _EventBatch) and not callback.sent:
            callback.event_ids.append(event_id)
            return
    transaction.on_commit(_EventBatch(event_id))


# Events per fan-out task: a bulk change enqueues a handful of tasks, not one per event.
EVENTS_PER_TASK = 200


def enqueue_events(event_ids):
    """Hand the events to the broker; a broker that is down leaves their deliveries waiting
    for ``webhook_deliveries_requeue``. Returns the number of tasks enqueued."""
    from webhooks import tasks  # the tasks call these services

    enqueued = 0
    for start in range(0, len(event_ids), EVENTS_PER_TASK):
        chunk = event_ids[start : start + EVENTS_PER_TASK]
        try:
            tasks.webhook_events_deliver_task.delay(chunk)
        except BROKER_ERRORS as error:
            logger.warning("Could not enqueue %s webhook event(s) (%s)", len(chunk), error)
            return enqueued
        enqueued += 1
    return enqueued


def webhook_events_deliver(*, event_ids):
    """Fan events out: one send task per delivery still waiting. Returns how many."""
    from webhooks import tasks

    ids = list(
        WebhookDelivery.objects.filter(event_id__in=event_ids, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for delivery_id in ids:
        tasks.webhook_delivery_send_task.delay(delivery_id)
    return len(ids)


def webhook_deliveries_requeue(*, now=None, older_than_seconds=600):
    """Deliveries nobody is sending (the broker was down when they were published, or the
    worker died mid-send): enqueue them again. Returns their ids."""
    from webhooks import tasks

    before = (now or timezone.now()) - timezone.timedelta(seconds=older_than_seconds)
    stuck = list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, created_at__lt=before)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=before)
        ).values_list("pk", flat=True)[:1000]
    )
    for delivery_id in stuck:
        try:
            tasks.webhook_delivery_send_task.delay(delivery_id)
        except BROKER_ERRORS:
            break
    return stuck


# --- Delivering ---------------------------------------------------------------------------------


def _claim(delivery_id, now):
    """Take the delivery for one attempt; False when it is done or another worker holds it."""
    lease = now - timezone.timedelta(seconds=CLAIM_LEASE_SECONDS)
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=lease)
        )
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _finish(delivery, status, *, status_code=None, excerpt=""):
    delivery.status = status
    delivery.status_code = status_code
    delivery.response_excerpt = excerpt[:500]
    delivery.finished_at = timezone.now() if status != DeliveryStatus.RETRYING else None
    delivery.save(update_fields=["status", "status_code", "response_excerpt", "finished_at"])


def webhook_delivery_send(*, delivery_id, last_try):
    """One attempt of a delivery. Returns its status afterwards; raises
    ``sending.DeliveryError`` when the attempt failed for a passing reason and
    ``last_try`` is False (the task retries it later)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        )
    delivery = WebhookDelivery.objects.select_related("webhook__project", "event").get(
        pk=delivery_id
    )
    webhook, event = delivery.webhook, delivery.event
    if not webhook.is_enabled and event.event != WebhookEventType.TEST:
        _finish(delivery, DeliveryStatus.FAILED, excerpt="Not sent: the webhook is disabled.")
        return delivery.status
    body = payloads.body_bytes(webhook.format, event, webhook.project.name)
    headers = sending.headers_for(
        event=event.event, event_id=event.pk, secret=webhook.secret, body=body
    )
    try:
        answer = sending.post(webhook.url, body, headers)
    except sending.DeliveryError as error:
        answer, failure = None, error
    else:
        failure = None
        if answer.succeeded:
            _finish(delivery, DeliveryStatus.SUCCEEDED, status_code=answer.status_code,
                    excerpt=answer.excerpt)  # fmt: skip
            Webhook.objects.filter(pk=webhook.pk, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
            return delivery.status
        if answer.transient:
            failure = sending.DeliveryError(
                f"HTTP {answer.status_code}", status_code=answer.status_code,
                excerpt=answer.excerpt or f"HTTP {answer.status_code}",
            )  # fmt: skip
    if failure is not None and not last_try:
        _finish(delivery, DeliveryStatus.RETRYING, status_code=failure.status_code,
                excerpt=failure.excerpt)  # fmt: skip
        raise failure
    if failure is not None:
        _finish(delivery, DeliveryStatus.FAILED, status_code=failure.status_code,
                excerpt=failure.excerpt)  # fmt: skip
    else:  # an answer that will not change: 4xx, a redirect (never followed)
        excerpt = answer.excerpt
        if 300 <= answer.status_code < 400:
            excerpt = f"Redirects are not followed. {excerpt}"
        _finish(delivery, DeliveryStatus.FAILED, status_code=answer.status_code, excerpt=excerpt)
    if event.event != WebhookEventType.TEST:
        _count_failure(webhook.pk, delivery)
    return delivery.status


@transaction.atomic
def _count_failure(webhook_id, delivery):
    """One more failure in a row; at WEBHOOK_MAX_FAILURES the webhook is disabled and the
    project managers are told (once: the webhook is disabled only while enabled)."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
    webhook.consecutive_failures += 1
    fields = ["consecutive_failures"]
    limit = settings.WEBHOOK_MAX_FAILURES
    if webhook.is_enabled and webhook.consecutive_failures >= limit:
        last = f"HTTP {delivery.status_code}" if delivery.status_code else "no answer"
        webhook.is_enabled = False
        webhook.disabled_at = timezone.now()
        webhook.disabled_reason = (
            f"Disabled automatically after {webhook.consecutive_failures} failed deliveries in "
            f"a row (the last: {last}, {delivery.response_excerpt[:120]})."
        )[:300]
        fields += ["is_enabled", "disabled_at", "disabled_reason"]
        from webhooks import tasks

        transaction.on_commit(lambda: tasks.webhook_disabled_notify_task.delay(webhook_id))
    webhook.save(update_fields=fields)
