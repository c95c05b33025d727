"""Small presentation filters used across the site's templates."""

from django import template

from accounts.models import Role

register = template.Library()


@register.filter
def absolute(value):
    return abs(value) if value is not None else value


@register.filter
def role_label(role):
    return dict(Role.choices).get(role, role or "")
