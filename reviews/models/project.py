from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from readiness.models import TimeStampedModel


class Scope(models.TextChoices):
    """Which apps a project puts live; drives which checklist items apply."""

    CUSTOMER_ENGAGEMENT = "customer_engagement", "Customer engagement"
    FINANCE_OPERATIONS = "finance_operations", "Finance and operations"
    AX2012_UPGRADE = "ax2012_upgrade", "AX 2012 upgrade"
    DUAL_WRITE = "dual_write", "Dual-write"
    AI_AGENTS = "ai_agents", "AI agents and Copilot"


class Phase(models.TextChoices):
    INITIATE = "initiate", "Initiate"
    IMPLEMENT = "implement", "Implement"
    PREPARE = "prepare", "Prepare"
    OPERATE = "operate", "Operate"


class VoteRule(models.TextChoices):
    ALL = "all", "Every approver must vote"
    AT_LEAST = "at_least", "At least N approvers must vote"


class Project(TimeStampedModel):
    name = models.CharField(max_length=200)
    customer = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    go_live_date = models.DateField("planned go-live date", null=True, blank=True)
    scopes = models.JSONField(
        "apps in scope", default=list, blank=True,
        help_text="Checklist items that apply to every project are always included.",
    )  # fmt: skip
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.IMPLEMENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Follow-up settings (used by the reminders sweep).
    reminder_due_soon_days = models.PositiveSmallIntegerField(
        "remind when due within (days)", default=3
    )
    escalation_after_days = models.PositiveSmallIntegerField(
        "escalate to the project manager after (days overdue)", default=5
    )
    reminders_paused = models.BooleanField(default=False)
    # Go/no-go voting rule.
    vote_rule = models.CharField(max_length=10, choices=VoteRule.choices, default=VoteRule.ALL)
    votes_required = models.PositiveSmallIntegerField(
        "votes required", default=1, help_text="Used when the rule is “at least N”."
    )

    class Meta:
        ordering = ["go_live_date", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:project_detail", args=[self.pk])

    def clean(self):
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}."})

    @property
    def days_to_go_live(self):
        if self.go_live_date is None:
            return None
        return (self.go_live_date - timezone.localdate()).days

    def get_scopes_display(self):
        labels = dict(Scope.choices)
        return [labels.get(scope, scope) for scope in self.scopes or []]
