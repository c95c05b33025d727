"""Checklist templates: versioned, importable, copied into reviews."""

from django.db import models

from core.models import TimeStampedModel
from projects.models import SignoffRole


class ItemSeverity(models.TextChoices):
    """How much a checklist item matters to the go-live (a risk's severity is its band)."""

    BLOCKER = "blocker", "Blocker"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Scope key meaning "every project"; the others are projects.models.Scope values.
SCOPE_ALL = "all"


class ChecklistTemplate(TimeStampedModel):
    """One version of a checklist. Importing the same key again creates the next version."""

    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    active = models.BooleanField(
        default=True, help_text="Only active templates are offered when creating a review."
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique")
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class TemplateSection(models.Model):
    """A checklist area: what it is for, the questions to ask and the red flags to spot."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    purpose = models.TextField(blank=True)
    expected_outcome = models.TextField(blank=True)
    key_questions = models.JSONField(default=list, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    default_signoff_role = models.CharField(max_length=40, choices=SignoffRole.choices, blank=True)

    class Meta:
        ordering = ["template", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_section_key_unique")
        ]

    def __str__(self):
        return self.title


class TemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(TemplateSection, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(
        max_length=10, choices=ItemSeverity.choices, default=ItemSeverity.MEDIUM
    )
    mandatory = models.BooleanField(
        "mandatory (blocking)", default=False,
        help_text="An open mandatory item is normally a go-live blocker.",
    )  # fmt: skip
    signoff_roles = models.JSONField(
        "required sign-off roles", default=list, blank=True,
        help_text="Stakeholder roles whose sign-off the item needs (one approval per role).",
    )  # fmt: skip
    scopes = models.JSONField(
        default=list, help_text="“all”, or the apps in scope the item applies to."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section__order", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_item_key_unique")
        ]

    def __str__(self):
        return self.title

    def applies_to(self, project_scopes):
        scopes = set(self.scopes or [])
        return SCOPE_ALL in scopes or bool(scopes & set(project_scopes or []))
