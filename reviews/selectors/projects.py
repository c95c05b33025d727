from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.permissions import remember_role
from reviews.models import Project


def projects_for_user(user):
    """Projects the user is a member of, each annotated with ``my_role``."""
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return Project.objects.filter(memberships__user=user).annotate(my_role=Subquery(role))


def _remember(projects, user):
    for project in projects:
        remember_role(project, user, project.my_role)
    return projects


def project_list_for_user(user):
    return _remember(list(projects_for_user(user).order_by("go_live_date", "name")), user)


def project_get_for_user(user, pk):
    """The project if the user is a member; a 404 otherwise (never a 403 that reveals it)."""
    project = get_object_or_404(projects_for_user(user), pk=pk)
    remember_role(project, user, project.my_role)
    return project
