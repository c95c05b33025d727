"""Summary PDFs of a review, rendered in the background and optionally e-mailed."""

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel


def summary_upload_to(instance, filename):
    review = instance.review
    return f"summaries/project-{review.project_id}/review-{review.pk}/{filename}"


class SummaryReport(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="summaries")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    file = models.FileField(upload_to=summary_upload_to, blank=True, max_length=300)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # E-mail delivery (optional).
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    send_requested = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A second request while one is under way joins it (summaries.services).
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(status__in=["queued", "rendering"]),
                name="summary_one_in_flight_per_review",
            )
        ]

    def __str__(self):
        return f"Summary of {self.review} ({self.get_status_display()})"

    @property
    def is_ready(self):
        return self.status == self.Status.READY

    @property
    def is_pending(self):
        """Whether the page should keep polling: rendering, or an e-mail still to go."""
        if self.status in (self.Status.QUEUED, self.Status.RENDERING):
            return True
        return (
            self.status == self.Status.READY
            and self.send_requested
            and self.sent_at is None
            and not self.send_error
        )
