from django import template

from accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """``{% can "edit_project" project as allowed %}`` calls ``permissions.can_edit_project``."""
    predicate = getattr(permissions, f"can_{action}", None)
    if predicate is None:
        raise template.TemplateSyntaxError(f"Unknown permission predicate: can_{action}")
    user = context["request"].user
    return predicate(user) if obj is None else predicate(user, obj)


@register.simple_tag(takes_context=True)
def role_in(context, project):
    role = permissions.project_role(context["request"].user, project)
    return dict(permissions.Role.choices).get(role, "")
