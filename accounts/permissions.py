"""Who may do what: plain predicates, one place, deny by default.

Every predicate takes the acting user first and the object second and returns a
bool. Views fetch objects through selectors scoped to the user (a foreign
project is a 404 before any predicate runs); predicates then decide what a
member may do. Templates call them through the ``can`` tag in
``accounts/templatetags/permissions.py``.

The user's role in a project is looked up once per (project, user) and kept on
the project instance, so checking many predicates on one page costs at most
one query; selectors that already know the role store it with ``remember_role``.
"""

from accounts.models import Membership, Role

EDITORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER})
CONTRIBUTORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR})


def remember_role(project, user, role):
    project.__dict__.setdefault("_role_cache", {})[user.pk] = role


def project_role(user, project):
    """The user's role in the project, or None when they are not a member."""
    if user is None or not user.is_authenticated or project is None or project.pk is None:
        return None
    cache = project.__dict__.setdefault("_role_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(project=project, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


def _has_role(user, project, roles):
    return project_role(user, project) in roles


# --- Projects and members ---------------------------------------------------


def can_view_project(user, project):
    return project_role(user, project) is not None


def can_edit_project(user, project):
    return _has_role(user, project, EDITORS)


def can_manage_members(user, project):
    return _has_role(user, project, {Role.PROJECT_MANAGER})


def can_create_project(user):
    return user.is_authenticated and user.is_active
