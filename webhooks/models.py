"""Outgoing webhooks of a project, the events published to them, and each delivery.

A project manager points a ``Webhook`` at a receiver (a generic JSON endpoint, a Microsoft
Teams or a Slack incoming webhook) for the events it wants. Each event the other apps publish
(``webhooks.services.webhook_event_publish``) is one ``WebhookEvent`` (its id is the event id
receivers use to drop duplicates) and one ``WebhookDelivery`` per subscribed, enabled webhook,
sent by a Celery task that records every attempt on the row.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import TimeStampedModel


class WebhookEventType(models.TextChoices):
    ITEM_STATUS_CHANGED = "item.status_changed", "Item status changed"
    SIGNOFF_GIVEN = "signoff.given", "Sign-off given"
    SIGNOFF_REJECTED = "signoff.rejected", "Sign-off rejected"
    FINDING_RAISED = "finding.raised", "Finding raised"
    FINDING_CLOSED = "finding.closed", "Finding closed"
    ACTION_OVERDUE = "action.overdue", "Action overdue"
    VOTE_OPENED = "vote.opened", "Vote opened"
    DECISION_RECORDED = "decision.recorded", "Decision recorded"
    CUTOVER_STEP_LATE = "cutover.step_late", "Cutover step late"
    CHECKPOINT_REACHED = "cutover.checkpoint_reached", "Checkpoint reached"
    TEST = "webhook.test", "Test event"


# What a project manager may subscribe to (the test event goes to one webhook on request).
SUBSCRIBABLE_EVENTS = [choice for choice in WebhookEventType.choices if choice[0] != "webhook.test"]


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", "Generic JSON"
    TEAMS = "teams", "Microsoft Teams (incoming webhook, message card)"
    SLACK = "slack", "Slack (incoming webhook, blocks)"


def new_secret():
    return secrets.token_urlsafe(32)


class Webhook(TimeStampedModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(max_length=100)
    url = models.URLField("URL", max_length=500)
    format = models.CharField(
        max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    events = models.JSONField(default=list, help_text="The WebhookEventType values it wants.")
    secret = models.CharField(max_length=64, default=new_secret)
    is_enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Deliveries that failed for good in a row (after their retries); a success resets it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "name", "pk"]
        indexes = [models.Index(fields=["project", "is_enabled"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("webhooks:detail", args=[self.project_id, self.pk])

    @property
    def format_short(self):
        return {"generic": "JSON", "teams": "Teams", "slack": "Slack"}.get(self.format, "")


class WebhookEvent(models.Model):
    """Something that happened in a project, as published to its webhooks (once)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="webhook_events"
    )
    event = models.CharField(max_length=40, choices=WebhookEventType.choices)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Set for events that must be published once whatever the callers do (an action overdue
    # for a due date): a second publish with the same key records nothing.
    once_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "once_key"],
                condition=~models.Q(once_key=""),
                name="webhook_event_once_per_key",
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()}: {self.title}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once")
        ]
        indexes = [models.Index(fields=["webhook", "-created_at"])]

    def __str__(self):
        return f"{self.event} to {self.webhook}"
