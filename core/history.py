"""Recording what changed: the {field: [old, new]} values kept in ChangeRecord rows."""

import datetime

from django.db import models


def display_value(instance, field_name, value):
    """A value as people read it in the history (choice labels, names, dates); "" for empty."""
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


def describe_changes(changes):
    """['likelihood: 2 → 4', ...] for a history row's {field: [old, new]}."""
    return [
        f"{field.replace('_', ' ')}: {old or '—'} → {new or '—'}"
        for field, (old, new) in changes.items()
    ]
