"""Abstract bases shared by the apps."""

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
