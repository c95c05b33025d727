"""The go / no-go decision that ends a review, with votes, conditions and a frozen snapshot."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeRecord, TimeStampedModel


class Outcome(models.TextChoices):
    GO = "go", "Go"
    CONDITIONAL_GO = "conditional_go", "Conditional go"
    NO_GO = "no_go", "No-go"


class Decision(TimeStampedModel):
    """One go/no-go decision of a review: open for votes, then recorded (and frozen)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for votes"
        RECORDED = "recorded", "Recorded"

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    rationale = models.TextField(blank=True)
    what_must_change = models.TextField(
        blank=True, help_text="For a no-go: what must change first."
    )
    new_go_live_date = models.DateField(null=True, blank=True)
    # A go or conditional go against a gate that is not clear, or votes that do not meet
    # the project's rule: what was overridden (one sentence each) and why.
    overridden = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    # The re-plan a no-go with a new date made.
    go_live_change = models.OneToOneField(
        "projects.GoLiveDateChange", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="decision",
    )  # fmt: skip
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Frozen at the moment of decision and never changed afterwards.
    snapshot = models.JSONField(null=True, blank=True)
    # When the approvers were told the vote opened, and the members the decision: the
    # notification tasks run again harmlessly.
    vote_opened_notified_at = models.DateTimeField(null=True, blank=True)
    recorded_notified_at = models.DateTimeField(null=True, blank=True)
    # A conditional go whose condition missed its date reverts to no-go.
    reverted_at = models.DateTimeField(null=True, blank=True)
    revert_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(status="open"),
                name="decision_one_open_per_review",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(outcome=""),
                name="decision_recorded_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.get_effective_outcome_display()} — {self.review}"

    def get_absolute_url(self):
        if self.status == self.Status.RECORDED:
            return reverse("decisions:decision_detail", args=[self.review.project_id, self.pk])
        return reverse("decisions:decision", args=[self.review.project_id, self.review_id])

    @property
    def is_override(self):
        return bool(self.overridden)

    @property
    def override_line(self):
        """ "Go, recorded against a not-ready gate: ... by Paul Manager: <reason>"."""
        if not self.overridden:
            return ""
        against = "; and against ".join(self.overridden)
        return (
            f"{self.get_outcome_display()}, recorded against {against} by {self.recorded_by}: "
            f"{self.override_reason}"
        )

    @property
    def is_recorded(self):
        return self.status == self.Status.RECORDED

    @property
    def is_no_go(self):
        """Recorded as a no-go (a reverted conditional go stands as one: ``effective_outcome``)."""
        return self.outcome == Outcome.NO_GO

    @property
    def effective_outcome(self):
        """What stands now: a reverted conditional go is a no-go."""
        return Outcome.NO_GO if self.reverted_at else self.outcome

    def get_effective_outcome_display(self):
        return dict(Outcome.choices).get(self.effective_outcome, "Open")


class Vote(models.Model):
    """An approver's vote. Append-only: changing a vote adds a row and supersedes the
    voter's previous one, so each voter has at most one current vote (a constraint)."""

    class Choice(models.TextChoices):
        GO = "go", "Go"
        NO_GO = "no_go", "No-go"
        ABSTAIN = "abstain", "Abstain"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["decision", "voter", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "voter"],
                condition=models.Q(superseded_at__isnull=True),
                name="vote_one_current_per_voter",
            )
        ]

    def __str__(self):
        return f"{self.voter}: {self.get_choice_display()}"


class DecisionCondition(models.Model):
    """A condition of a conditional go: an owner must meet it by its date, or the go reverts."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="conditions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description[:60]

    @property
    def is_open(self):
        return self.met_at is None and self.missed_at is None


class CriterionKind(models.TextChoices):
    BUILTIN = "builtin", "Built-in"
    THRESHOLD = "threshold", "Threshold"
    ATTESTED = "attested", "Attested"


class Comparator(models.TextChoices):
    AT_MOST = "lte", "at most (≤)"
    FEWER_THAN = "lt", "fewer than (<)"
    EXACTLY = "eq", "exactly (=)"
    AT_LEAST = "gte", "at least (≥)"


class GateCriterion(TimeStampedModel):
    """One go / no-go criterion the project's team agreed on.

    A built-in criterion (``builtin_key``, see ``decisions.criteria.BUILTINS``) is on until
    the project switches it off: a project that never configured its criteria has no rows
    and the gate checks every built-in, as it always did. A threshold compares a count the
    app knows (``metric``) with ``target``; an attested criterion compares the value the team
    last typed in (an ``Attestation``) with ``target``, and a value older than
    ``max_age_days`` counts as missing.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="gate_criteria"
    )
    kind = models.CharField(max_length=10, choices=CriterionKind.choices)
    # Not a choices field: the registry of built-ins grows without a migration.
    builtin_key = models.CharField(max_length=40, blank=True)
    metric = models.CharField(max_length=40, blank=True)
    label = models.CharField(max_length=200, blank=True)
    comparator = models.CharField(max_length=3, choices=Comparator.choices, blank=True)
    target = models.IntegerField(null=True, blank=True)
    max_age_days = models.PositiveIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "builtin_key"],
                condition=models.Q(kind="builtin"),
                name="gate_criterion_one_row_per_builtin",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="builtin") | ~models.Q(builtin_key=""),
                name="gate_criterion_builtin_has_key",
            ),
        ]

    def __str__(self):
        return self.label or self.builtin_key or self.metric


class Attestation(models.Model):
    """A value of an attested criterion typed in by a member, with its evidence.

    Append-only: a new value adds a row; the latest one counts."""

    criterion = models.ForeignKey(
        GateCriterion, on_delete=models.CASCADE, related_name="attestations"
    )
    value = models.IntegerField()
    evidence = models.TextField(blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attested_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-attested_at", "-pk"]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class GateCriterionChange(ChangeRecord):
    """One saved change of a project's criteria (added, edited, switched, removed, attested).

    Kept on the project, not the criterion, so a removed criterion's history stays."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="gate_criterion_changes"
    )
    criterion_label = models.CharField(max_length=200)

    def __str__(self):
        return f"{self.criterion_label} ({self.created_at:%Y-%m-%d})"
