"""Labels of project roles and stakeholder roles, for pages that show many of them."""

from django import template

from projects.models import Role, SignoffRole

# Label lookups as plain dicts: get_FOO_display() is slow when called for hundreds of rows.
ROLE_LABELS = dict(Role.choices)
SIGNOFF_ROLE_LABELS = dict(SignoffRole.choices)

register = template.Library()


@register.filter
def role_label(role):
    return ROLE_LABELS.get(role, role or "")


@register.filter
def signoff_role_label(role):
    """A stakeholder role's label; an item that names none takes "Any approver"."""
    return SIGNOFF_ROLE_LABELS.get(role, "Any approver")
