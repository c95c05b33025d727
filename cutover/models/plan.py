"""The cutover plan: one per project, in versions; each version has its window, its steps
(a dependency graph) and its sign-offs.

A version is edited in place until someone signs it (approves or rejects); after that an
edit copies it into the next version, which starts unsigned, and the signed one stays
readable, marked superseded. Steps and dependencies belong to one version.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeRecord, TimeStampedModel
from projects.models import SignoffRole


def validate_time_zone(name):
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            f"“{name}” is not a time zone name. Use an IANA name such as Europe/London."
        )


class CutoverPlan(TimeStampedModel):
    """A project's cutover plan: the container of its versions and its runs."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="cutover_plan"
    )
    signoff_roles = models.JSONField(
        "sign-off roles", default=list, blank=True,
        help_text="Stakeholder roles that must approve a version for it to be signed off.",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project"]

    def __str__(self):
        return f"Cutover plan of {self.project}"

    def get_absolute_url(self):
        return reverse("cutover:plan", args=[self.project_id])

    def clean(self):
        unknown = set(self.signoff_roles or []) - set(SignoffRole.values)
        if unknown:
            raise ValidationError(
                {"signoff_roles": f"Unknown role(s): {', '.join(sorted(unknown))}."}
            )

    def get_signoff_roles_display(self):
        labels = dict(SignoffRole.choices)
        return [labels.get(role, role) for role in self.signoff_roles or []]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"
    SUPERSEDED = "superseded", "Superseded"


class PlanVersion(models.Model):
    """One version of the plan: the window, the buffer, the point of no return, the steps."""

    plan = models.ForeignKey(CutoverPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The version this one was copied from.",
    )  # fmt: skip
    # The window, stored as aware datetimes; shown in ``time_zone`` (an IANA name).
    window_start = models.DateTimeField("window opens")
    window_end = models.DateTimeField("window closes")
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    buffer_minutes = models.PositiveIntegerField(
        "buffer wanted (minutes)", default=120,
        help_text="Time that should be left between the planned end and the window's close.",
    )  # fmt: skip
    # The point of no return is a step (once it starts, rolling back is no longer planned) or
    # a time; at most one of the two.
    point_of_no_return_step = models.ForeignKey(
        "cutover.Step", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    point_of_no_return_at = models.DateTimeField(null=True, blank=True)
    rollback_deadline = models.DateTimeField(
        null=True, blank=True, help_text="The last moment a rollback can start and still finish."
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency (core.errors.ConflictError): every saved change increments it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            # Only the latest version is current (draft or signed off); older ones are superseded.
            models.UniqueConstraint(
                fields=["plan"],
                condition=~models.Q(status="superseded"),
                name="plan_version_one_current_per_plan",
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="plan_version_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(point_of_no_return_step__isnull=True)
                | models.Q(point_of_no_return_at__isnull=True),
                name="plan_version_ponr_step_or_time",
            ),
        ]

    def __str__(self):
        return f"{self.plan} — version {self.number}"

    def get_absolute_url(self):
        return reverse("cutover:version", args=[self.plan.project_id, self.number])

    @property
    def is_current(self):
        return self.status != PlanStatus.SUPERSEDED

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def window_minutes(self):
        return int((self.window_end - self.window_start).total_seconds() // 60)

    def clean(self):
        errors = {}
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            errors["window_end"] = "The window must close after it opens."
        if self.point_of_no_return_step_id and self.point_of_no_return_at:
            errors["point_of_no_return_at"] = (
                "The point of no return is a step or a time, not both."
            )
        if errors:
            raise ValidationError(errors)


class StepCategory(models.TextChoices):
    DEPLOYMENT = "deployment", "Deployment"
    DATA_MIGRATION = "data_migration", "Data migration"
    VALIDATION = "validation", "Validation"
    COMMUNICATION = "communication", "Communication"
    SUPPORT = "support", "Support"
    BUSINESS = "business", "Business"


class Step(models.Model):
    """One line of the run sheet. A duration of 0 minutes is a milestone."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    category = models.CharField(
        max_length=20, choices=StepCategory.choices, default=StepCategory.DEPLOYMENT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_cutover_steps",
    )  # fmt: skip
    backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="backup_cutover_steps",
    )  # fmt: skip
    duration_minutes = models.PositiveIntegerField("planned duration (minutes)", default=30)
    verification = models.TextField(blank=True, help_text="How we know the step worked.")
    fixed_start = models.DateTimeField(
        null=True, blank=True, help_text="The step starts no earlier than this."
    )
    is_checkpoint = models.BooleanField("go/no-go checkpoint", default=False)
    checkpoint_criteria = models.TextField(blank=True)
    checkpoint_approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cutover_checkpoints"
    )
    rollback_step = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rollback_for",
        help_text="The step that undoes this one if the cutover is rolled back.",
    )  # fmt: skip
    is_rollback = models.BooleanField(
        "rollback step", default=False,
        help_text="Runs only when the cutover is rolled back; not part of the forward plan.",
    )  # fmt: skip
    # Optimistic concurrency for edits of this step (core.errors.ConflictError).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan_version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "number"], name="step_number_unique_per_version"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="step_number_positive"),
            models.CheckConstraint(
                condition=~models.Q(rollback_step=models.F("id")),
                name="step_rollback_is_another_step",
            ),
        ]

    def __str__(self):
        return f"Step {self.number}: {self.title}"

    @property
    def is_milestone(self):
        return self.duration_minutes == 0


class StepDependency(models.Model):
    """``successor`` starts only when ``predecessor`` has ended (both of one version)."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="dependencies"
    )
    predecessor = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta:
        ordering = ["plan_version", "successor", "predecessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="step_dependency_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")),
                name="step_dependency_no_self_loop",
            ),
        ]

    def __str__(self):
        return f"{self.predecessor_id} → {self.successor_id}"


class PlanChange(ChangeRecord):
    """One saved change of a version: its window and settings, or its steps (added, removed,
    renumbered, linked); a step's own field edits are in StepChange."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The plan version's version after the change.")
    step_number = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.plan_version} v{self.version}"


class StepChange(ChangeRecord):
    """One saved edit of a step's fields."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The step's version after this change.")

    def __str__(self):
        return f"{self.step} v{self.version}"


class PlanSignOffDecision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REVOKE = "revoke", "Revoked"


# An approval or a rejection stands until superseded; a revoke only withdraws.
STANDING_DECISIONS = (PlanSignOffDecision.APPROVE, PlanSignOffDecision.REJECT)


class PlanSignOff(models.Model):
    """A stakeholder's decision on a plan version. Append-only, as item sign-offs: a new
    record of the same person supersedes their previous one, and one person has at most one
    standing approval or rejection per version (a constraint). A change of the plan makes a
    new version, which starts without sign-offs."""

    Decision = PlanSignOffDecision

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signoffs")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_signoffs"
    )
    as_role = models.CharField("signed as", max_length=40, choices=SignoffRole.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    signed_version = models.PositiveIntegerField(
        help_text="The plan version's ``version`` that was signed."
    )
    superseded_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set when its signer signed again, or the plan changed into a new version.",
    )  # fmt: skip

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["plan_version", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "signer"],
                condition=models.Q(superseded_at__isnull=True)
                & models.Q(decision__in=STANDING_DECISIONS),
                name="plan_signoff_one_standing_per_signer",
            )
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.signer} on {self.plan_version}"

    @property
    def is_current(self):
        return self.superseded_at is None
