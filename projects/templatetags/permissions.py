from django import template

from projects import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """``{% can "edit_item" item as allowed %}`` calls ``permissions.can_edit_item(access, item)``
    with the viewer's ``access`` of the page (no access: not allowed)."""
    predicate = getattr(permissions, f"can_{action}", None)
    if predicate is None:
        raise template.TemplateSyntaxError(f"Unknown permission predicate: can_{action}")
    access = context.get("access")
    if access is None:
        return False
    return predicate(access) if obj is None else predicate(access, obj)
