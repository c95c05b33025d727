"""What a person is told in the app (the bell), and how each person wants each kind told."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    OWNER = "owner", "You are made owner of something"
    SIGNOFF_REQUESTED = "signoff_requested", "Your sign-off is requested"
    VOTE_OPENED = "vote_opened", "A go / no-go vote opens"
    DECISION_RECORDED = "decision_recorded", "A go / no-go decision is recorded"
    MENTIONED = "mentioned", "Someone mentions you in a question thread"
    ANSWERED = "answered", "Someone answers a question you asked"
    STEP_READY = "step_ready", "Your cutover step can start"


# What a digest line calls each kind (the labels above are sentences for the settings page).
SHORT_LABELS = {
    Kind.OWNER: "Now yours",
    Kind.SIGNOFF_REQUESTED: "Sign-off awaited",
    Kind.VOTE_OPENED: "Vote open",
    Kind.DECISION_RECORDED: "Decision recorded",
    Kind.MENTIONED: "You were mentioned",
    Kind.ANSWERED: "Your question answered",
    Kind.STEP_READY: "Cutover step can start",
}


class Delivery(models.TextChoices):
    EMAIL = "email", "E-mail me at once"
    DIGEST = "digest", "In my daily digest"
    IN_APP = "in_app", "Only here, under the bell"


# Without a choice of their own, people get what they got before the bell existed: the
# vote, the decision and a ready cutover step by e-mail at once (time matters there), a
# mention and an answer at once too (someone waits for them), and the rest in the daily
# digest.
DEFAULT_DELIVERY = {
    Kind.OWNER: Delivery.DIGEST,
    Kind.SIGNOFF_REQUESTED: Delivery.DIGEST,
    Kind.VOTE_OPENED: Delivery.EMAIL,
    Kind.DECISION_RECORDED: Delivery.EMAIL,
    Kind.MENTIONED: Delivery.EMAIL,
    Kind.ANSWERED: Delivery.EMAIL,
    Kind.STEP_READY: Delivery.EMAIL,
}


class NotificationPreference(models.Model):
    """How one person wants one kind of notification delivered (a row only where they chose)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} → {self.get_delivery_display()}"


class Notification(models.Model):
    """One thing one person is told. Every notification shows under the bell; ``delivery``
    is how the person wanted it sent when it was made: ``emailed_at`` records the e-mail,
    ``digest_id`` the reminders digest that tells it (an id, not a key: the reminders app sits
    above this one; set when the sweep claims that digest), so each goes out once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="The page it is about, a path on this site.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Repeats of the same event for the same person (a task run twice, a mention edited in
    # again) share a key and are told once.
    key = models.CharField(max_length=200, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(delivery="digest", digest_id__isnull=True),
                name="notification_digest_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_key_once",
            )
        ]

    def __str__(self):
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self):
        return self.read_at is not None
