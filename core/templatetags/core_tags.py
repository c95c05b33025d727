"""Presentation filters that know nothing of any app."""

import datetime

from django import template

from core.text import inert_html as to_inert_html
from core.text import inert_text

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


@register.filter
def inert(value):
    """Member text in a plain-text mail: no control characters, foreign addresses defanged
    (core.text). Templates of plain-text mails turn autoescape off."""
    return inert_text("" if value is None else value)


@register.filter
def inert_line(value):
    """Like ``inert``, on one line (subjects, names)."""
    return inert_text("" if value is None else value, keep_newlines=False)


@register.filter
def inert_html(value):
    """Member text in an HTML mail: escaped, this site's addresses linked, others defanged."""
    return to_inert_html("" if value is None else value)
