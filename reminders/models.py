"""The follow-up reminder log: one digest e-mail per person per day, each reminder told once."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderDigest(models.Model):
    """The one digest e-mail a person gets on a day: claimed by a sweep, then sent.

    The unique (recipient, date) row is the claim: a sweep inserts it and records its
    reminders in the same transaction, sends after the commit, then sets ``sent_at``.
    A digest whose send failed for a passing reason (the relay away, a 4xx answer) keeps
    ``sent_at`` empty and is claimed again by the next sweep; one the relay refused for
    good (a 5xx answer for its recipient, an address that cannot be written) gets
    ``failed_at`` and is never tried again. ``claim_token`` says which sweep holds it now;
    ``last_error`` is the relay's answer, shown in the admin.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Refused for good"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    date = models.DateField(help_text="The day (site time) this digest is for.")
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the relay refused it for good; never retried."
    )
    item_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "recipient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "date"], name="reminder_digest_one_per_person_per_day"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "date"])]

    def __str__(self):
        return f"Digest of {self.date} for {self.recipient}"

    @property
    def status(self):
        if self.sent_at:
            return self.Status.SENT
        if self.failed_at:
            return self.Status.FAILED
        return self.Status.SENDING if self.claim_token else self.Status.WAITING


class ReminderKind(models.TextChoices):
    ACTION_DUE_SOON = "action_due_soon", "Action due soon"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    ACTION_ESCALATED = "action_escalated", "Overdue action escalated"
    SIGNOFF_AWAITED = "signoff_awaited", "Sign-off awaited"
    CONDITION_MISSED = "condition_missed", "Condition missed"


class Reminder(models.Model):
    """One reminder told to one person about one object, at one threshold: the log that
    makes a second sweep, a retried task or a restarted worker send nothing twice.

    ``threshold`` names the occasion: "due-3d", "overdue", "escalated-5d", "daily-2026-11-26"
    (daily reminders in the last two weeks before go-live), "decision-12", "missed".
    Exactly one of ``action`` / ``item`` / ``condition`` is set; each has its own partial
    unique constraint, because NULLs never collide in a plain one.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    action = models.ForeignKey(
        "risks.MitigationAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    item = models.ForeignKey(
        "reviews.ReviewItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    condition = models.ForeignKey(
        "decisions.DecisionCondition", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    threshold = models.CharField(max_length=40)
    sent_on = models.DateField()
    digest = models.ForeignKey(
        ReminderDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__isnull=False, item__isnull=True, condition__isnull=True)
                | models.Q(action__isnull=True, item__isnull=False, condition__isnull=True)
                | models.Q(action__isnull=True, item__isnull=True, condition__isnull=False),
                name="reminder_about_exactly_one_object",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "action", "threshold"],
                condition=models.Q(action__isnull=False),
                name="reminder_once_per_action_threshold",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "item", "threshold"],
                condition=models.Q(item__isnull=False),
                name="reminder_once_per_item_threshold",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "condition", "threshold"],
                condition=models.Q(condition__isnull=False),
                name="reminder_once_per_condition_threshold",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.threshold}) to {self.recipient}"
