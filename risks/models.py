"""Findings (assertions, risks, issues), their mitigation actions, and the history of both."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeRecord, TimeStampedModel


class RiskType(models.TextChoices):
    """The three kinds of finding of the FastTrack review practice."""

    ASSERTION = "assertion", "Assertion"  # something done well
    RISK = "risk", "Risk"  # could hurt the go-live if nobody acts
    ISSUE = "issue", "Issue"  # already hurting, or certain to


# Types that are rated (likelihood x impact) and need a mitigation plan.
RATED_TYPES = frozenset({RiskType.RISK, RiskType.ISSUE})


class Category(models.TextChoices):
    TESTING = "testing", "Testing"
    DATA = "data", "Data migration"
    INTEGRATION = "integration", "Integration"
    PERFORMANCE = "performance", "Performance"
    SECURITY = "security", "Security and access"
    PEOPLE = "people", "People and training"
    ENVIRONMENT = "environment", "Environments and deployment"
    CUTOVER = "cutover", "Cutover"
    SUPPORT = "support", "Production support"
    SCOPE = "scope", "Scope and licences"
    OTHER = "other", "Other"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    MITIGATED = "mitigated", "Mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


# Statuses in which a finding still needs work (and so a mitigation plan).
ACTIVE_STATUSES = frozenset({RiskStatus.OPEN, RiskStatus.MITIGATING})


class SeverityBand(models.TextChoices):
    """The band a risk's likelihood x impact score falls in (a checklist item has an ItemSeverity)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# The severity bands: the only place the thresholds live.
#
#   score (likelihood x impact)   band
#   1 - 4                         low
#   5 - 9                         medium
#   10 - 16                       high
#   17 - 25 (20, 25 in practice)  critical
SEVERITY_BANDS = (
    (SeverityBand.LOW, 1, 4),
    (SeverityBand.MEDIUM, 5, 9),
    (SeverityBand.HIGH, 10, 16),
    (SeverityBand.CRITICAL, 17, 25),
)


def severity_band(score):
    """The band of a likelihood x impact score, or None for an unrated finding."""
    if score is None:
        return None
    for band, low, high in SEVERITY_BANDS:
        if low <= score <= high:
            return band
    raise ValueError(f"A score is between 1 and 25, not {score}.")


def severity_score_range(band):
    """(lowest, highest) score of a band, for filtering in the database."""
    for name, low, high in SEVERITY_BANDS:
        if name == band:
            return low, high
    raise ValueError(f"Unknown severity band {band!r}.")


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def _rating_in_range(field):
    return models.Q(**{f"{field}__isnull": True}) | models.Q(
        **{f"{field}__gte": 1, f"{field}__lte": 5}
    )


class Risk(TimeStampedModel):
    """A finding of a readiness review: an assertion, a risk or an issue."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="risks")
    # ... within the project (given by risk_create, under a lock on the project).
    number = models.PositiveIntegerField(editable=False)
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="risks"
    )
    review_item = models.ForeignKey(
        "reviews.ReviewItem", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="risks",
    )  # fmt: skip
    area = models.ForeignKey(
        "reviews.ReviewSection", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="risks", help_text="The checklist area the finding came from.",
    )  # fmt: skip
    type = models.CharField(max_length=10, choices=RiskType.choices, default=RiskType.RISK)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    likelihood = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=RATING_VALIDATORS,
        help_text="1 (rare) to 5 (almost certain).",
    )
    impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_VALIDATORS, help_text="1 (minor) to 5 (severe)."
    )
    is_blocker = models.BooleanField("go-live blocker", default=False)
    workaround = models.TextField(
        blank=True, help_text="How the go-live can proceed anyway; required to accept a blocker."
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_risks"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_reason = models.TextField(blank=True)
    # An acceptance holds until this day; the next day the expiry sweep reopens the finding
    # and records the day in ``acceptance_expired_on`` (shown as why it reopened).
    acceptance_expires_on = models.DateField(null=True, blank=True)
    acceptance_expired_on = models.DateField(null=True, blank=True)
    # Optimistic concurrency: every saved change increments the version.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="risk_number_per_project"),
            models.CheckConstraint(
                condition=_rating_in_range("likelihood"), name="risk_likelihood_1_to_5"
            ),
            models.CheckConstraint(condition=_rating_in_range("impact"), name="risk_impact_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(type=RiskType.ASSERTION)
                | models.Q(likelihood__isnull=False, impact__isnull=False),
                name="risk_rated_unless_assertion",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["project", "likelihood", "impact"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.project_id, self.pk])

    @property
    def reference(self):
        return f"R-{self.number}"

    @property
    def is_rated(self):
        return self.type in RATED_TYPES

    @property
    def score(self):
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def severity(self):
        return severity_band(self.score)

    def get_severity_display(self):
        band = self.severity
        return SeverityBand(band).label if band else ""

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def is_open_blocker(self):
        return self.is_blocker and self.is_active

    def clean(self):
        errors = {}
        if self.type in RATED_TYPES:
            for field in ("likelihood", "impact"):
                if getattr(self, field) is None:
                    errors[field] = f"Rate the {field} of a {self.get_type_display().lower()}."
        elif self.is_blocker:
            errors["is_blocker"] = "An assertion records something done well; it cannot block."
        if self.status == RiskStatus.ACCEPTED and self.is_blocker and not self.workaround.strip():
            errors["workaround"] = "An accepted go-live blocker needs a workaround."
        if errors:
            raise ValidationError(errors)


class AcceptanceExpiryNotice(models.Model):
    """A finding reopened because its acceptance expired, to tell one person once: its
    acceptor or a project manager, in their next reminders digest.

    ``digest_id`` is the reminders digest that tells it (set when the sweep claims that
    digest; an id, not a key, since the reminders app sits above this one). Unique per
    finding, person and expiry day: a second sweep or a retried task adds nothing.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="expiry_notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    expired_on = models.DateField(help_text="The acceptance's last day.")
    digest_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "recipient", "expired_on"], name="expiry_notice_once_per_person"
            )
        ]

    def __str__(self):
        return f"{self.risk}: acceptance expired on {self.expired_on} (to {self.recipient})"


class RiskChange(ChangeRecord):
    """One saved change of a finding."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The finding's version after this change.")

    def __str__(self):
        return f"{self.risk} v{self.version}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which an action still waits on its owner.
OPEN_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class MitigationAction(TimeStampedModel):
    """One step of a finding's mitigation plan, with exactly one owner."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    # The finding's project, copied from it (a finding never changes project; save() fills
    # it in, a bulk_create must give it), so a project's actions are read by index
    # without joining every finding of the project.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", editable=False,
        db_index=False,  # the (project, owner, ...) indexes below serve it
    )  # fmt: skip
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mitigation_actions"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency: every saved change increments the version.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ActionStatus.DONE, completed_at__isnull=False)
                | ~models.Q(status=ActionStatus.DONE),
                name="action_done_has_completed_at",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["risk", "status"]),
            # Someone's most overdue actions (home) in due order without sorting them all.
            models.Index(fields=["owner", "due_date"]),
            # Actions by owner: per-owner counts read from this index alone ...
            models.Index(
                fields=["project", "owner", "status", "due_date"],
                name="action_project_owner_status",
            ),
            # ... and each owner's most urgent open actions in due order, without a sort.
            models.Index(
                fields=["project", "owner", "due_date", "id"], name="action_project_owner_due"
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def save(self, *args, **kwargs):
        if self.project_id is None and self.risk_id is not None:
            self.project_id = self.risk.project_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("risks:action_edit", args=[self.risk.project_id, self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_not_started(self):
        return self.status == ActionStatus.OPEN

    @property
    def is_overdue(self):
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class MitigationActionChange(ChangeRecord):
    """One saved change of a mitigation action."""

    action = models.ForeignKey(MitigationAction, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The action's version after this change.")

    def __str__(self):
        return f"{self.action} at {self.created_at:%Y-%m-%d %H:%M}"
