"""Abstract bases shared by the apps, and the lease that keeps a periodic job to one run."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ChangeRecord(models.Model):
    """One saved change of something people decide: who, when, every field's old -> new value.

    Subclasses add the foreign key to what changed (and a version where it has one).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    changes = models.JSONField(help_text="{field: [old, new]} with display values.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class CalendarDelivery(models.Model):
    """One calendar invitation (or its cancellation) mailed to one address at one sequence
    of an event: the recorded state that makes sending idempotent. Subclasses add the
    foreign key to the event and a unique constraint on (event, email, sequence).

    ``sent_at`` is set when the relay took it; ``failed_at`` when the relay refused it for
    good (never tried again, the error kept). A passing fault records nothing: the retry
    sends it.
    """

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "Invitation"
        CANCEL = "CANCEL", "Cancellation"

    email = models.CharField(max_length=254, help_text="Lower case.")
    name = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=7, choices=Method.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["sequence", "pk"]

    def __str__(self):
        return f"{self.get_method_display()} {self.sequence} to {self.email}"


class Lease(models.Model):
    """Who runs a periodic job right now, and until when at the latest (``core.leases``).

    One row per job, kept between runs: a lease is free once ``expires_at`` has passed (a
    release sets it to the release time).
    """

    name = models.CharField(max_length=100, primary_key=True)
    token = models.CharField(max_length=32, blank=True, help_text="The holder's secret.")
    holder = models.CharField(max_length=200, blank=True, help_text="Host and process id.")
    taken_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return self.name
