"""Workshop sessions in which a review is discussed."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import CalendarDelivery, TimeStampedModel


class Workshop(TimeStampedModel):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=90)
    location = models.CharField(
        max_length=300, blank=True, help_text="Room, or the link of the online meeting."
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agenda = models.JSONField(
        default=list, blank=True, help_text="Keys of the review sections to cover, in order."
    )
    minutes = models.TextField(blank=True)
    minutes_version = models.PositiveIntegerField(default=1)
    minutes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The invitation's SEQUENCE: raised by each change invitees must hear about, and by
    # the cancellation (its UID never changes).
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def calendar_uid(self):
        return f"workshop-{self.pk}@readiness"

    def get_absolute_url(self):
        return reverse(
            "reviews:workshop_detail", args=[self.review.project_id, self.review_id, self.pk]
        )


class WorkshopAttendee(models.Model):
    """An invited project member or named guest, and whether they attended."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    guest_name = models.CharField(max_length=150, blank=True)
    guest_email = models.EmailField(blank=True)
    attended = models.BooleanField(null=True, help_text="Unknown until attendance is taken.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=models.Q(user__isnull=False),
                name="workshop_attendee_user_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(guest_name=""),
                name="workshop_attendee_is_member_or_named_guest",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return str(self.user) if self.user_id else self.guest_name

    @property
    def email(self):
        return self.user.email if self.user_id else self.guest_email


class WorkshopInvitation(CalendarDelivery):
    """The workshop's invitation (or cancellation) mailed to one address at one sequence."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")

    class Meta(CalendarDelivery.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "email", "sequence"],
                name="workshop_invitation_once_per_sequence",
            )
        ]
