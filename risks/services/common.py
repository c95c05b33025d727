"""What the finding and action services share: the permission check and owner rule."""

from django.core.exceptions import PermissionDenied, ValidationError

from projects.selectors import project_access
from projects.services import require_member


def require(allowed, message="You may not do that in this project."):
    if not allowed:
        raise PermissionDenied(message)


def access_of(acting_user, project):
    """The acting user's ProjectAccess, looked up in the service itself: a page, a task and
    a command get the same answer."""
    return project_access(user=acting_user, project=project)


def require_member_owner(*, project, owner, field="owner"):
    """Refuse an action owner who is not a member of the project, saying why."""
    if owner is None:
        raise ValidationError({field: "Choose the one person who owns this action."})
    require_member(project=project, user=owner, field=field, purpose="own its actions")
