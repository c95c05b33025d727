from django import template

from cutover.schedule import format_minutes

register = template.Library()


@register.filter
def minutes(value):
    """120 -> "2 h", 135 -> "2 h 15 min"."""
    if value is None or value == "":
        return ""
    return format_minutes(value)
