"""Rehearsals planned ahead, so people can be invited: a start and a duration, and the
calendar invitations mailed for them (one UID for the rehearsal's life, its SEQUENCE
raised by each re-plan and by the cancellation)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import CalendarDelivery

from .plan import CutoverPlan


class PlannedRehearsal(models.Model):
    """A rehearsal booked for a time: the step owners, their backups and the cutover
    people are invited to it. Running it is still ``run_start`` on the day."""

    plan = models.ForeignKey(CutoverPlan, on_delete=models.CASCADE, related_name="planned")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=240)
    location = models.CharField(
        max_length=300, blank=True, help_text="Room, bridge line or the meeting link."
    )
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "starts_at", "pk"]
        indexes = [models.Index(fields=["plan", "starts_at"])]

    def __str__(self):
        return f"Cutover rehearsal on {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("cutover:rehearsal_edit", args=[self.plan.project_id, self.pk])

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def calendar_uid(self):
        return f"cutover-rehearsal-{self.pk}@readiness"


class RehearsalInvitation(CalendarDelivery):
    """The rehearsal's invitation (or cancellation) mailed to one address at one sequence."""

    rehearsal = models.ForeignKey(
        PlannedRehearsal, on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(CalendarDelivery.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["rehearsal", "email", "sequence"],
                name="rehearsal_invitation_once_per_sequence",
            )
        ]
