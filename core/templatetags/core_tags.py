"""Presentation filters that know nothing of any app."""

import datetime

from django import template

register = template.Library()

# How a field of a history row ({field: [old, new]}) is named on the page.
FIELD_LABELS = {
    "is_blocker": "Go-live blocker",
    "blocker_reason": "Blocker reason",
}


@register.filter
def absolute(value):
    return abs(value) if value is not None else value


@register.filter
def field_label(name):
    return FIELD_LABELS.get(name, str(name).replace("_", " ").capitalize())


@register.filter
def iso_date(value):
    """A date kept as ISO text (frozen snapshots) back as a date, for the ``date`` filter."""
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value
