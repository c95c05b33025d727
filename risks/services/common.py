"""What the risk and action services share: history values, membership, the conflict error."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from accounts.models import Membership


class RiskConflictError(ValidationError):
    """The finding changed since the version the edit started from.

    ``changes`` holds the history rows written since then, so the page can say
    who changed what; ``current_version`` lets the person save again knowingly.
    """

    def __init__(self, *, risk, since_version, changes):
        self.risk = risk
        self.current_version = risk.version
        self.changes = list(changes)
        summary = "; ".join(
            f"{change.user or 'someone'} changed {', '.join(describe_changes(change.changes))}"
            for change in reversed(self.changes)
        )
        super().__init__(
            f"Someone else saved this finding while you were editing it (version "
            f"{since_version} → {risk.version}): {summary or 'details unavailable'}. "
            "Your changes were not saved: check them against the current values and save again."
        )


def describe_changes(changes):
    """['likelihood: 2 → 4', ...] for a history row's {field: [old, new]}."""
    return [
        f"{field.replace('_', ' ')}: {old or '—'} → {new or '—'}"
        for field, (old, new) in changes.items()
    ]


def display_value(instance, field_name, value):
    """A value as people read it in the history (choice labels, names, dates)."""
    if value is None or value == "":
        return ""
    field = instance._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return str(value)
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def apply_changes(instance, fields):
    """Set the fields that differ; return {field: [old, new]} as display values."""
    changes = {}
    for name, new in fields.items():
        field = instance._meta.get_field(name)
        old_raw = getattr(instance, field.attname)
        new_raw = new.pk if isinstance(field, models.ForeignKey) and new is not None else new
        if old_raw == new_raw:
            continue
        changes[name] = [
            display_value(instance, name, getattr(instance, name)),
            display_value(instance, name, new),
        ]
        setattr(instance, name, new)
    return changes


def require(allowed, message="You may not do that in this project."):
    if not allowed:
        raise PermissionDenied(message)


def require_member_owner(*, project, owner, field="owner"):
    """Refuse an owner who is not a member of the project, with a message that says why."""
    if owner is None:
        raise ValidationError({field: "Choose the one person who owns this action."})
    if not owner.is_active or not Membership.objects.filter(project=project, user=owner).exists():
        raise ValidationError(
            {
                field: f"{owner} is not a member of {project}, so they cannot own its actions. "
                "Choose a project member, or ask the project manager to add them first."
            }
        )
