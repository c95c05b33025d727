"""Reads for projects and their members, scoped to the user who asks."""

from django.db.models import F
from django.http import Http404

from accounts.models import User
from projects.models import Invitation, Membership, Project
from projects.permissions import ProjectAccess


def _access(user, membership, project=None):
    if membership is None:
        return ProjectAccess(user=user, project=project)
    return ProjectAccess(
        user=user,
        project=project or membership.project,
        role=membership.role,
        stakeholder_roles=frozenset(membership.signoff_roles or ()),
    )


def project_access_for_user(user, project_pk):
    """The user's access to the project (one query); a 404 unless they are a member.

    A 404 and not a 403, so a project's existence is never revealed to outsiders.
    """
    membership = (
        Membership.objects.select_related("project")
        .filter(user=user, project_id=project_pk)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such project.")
    return _access(user, membership)


def project_access(*, user, project):
    """The user's access to a project already fetched (a non-member's has no role)."""
    membership = Membership.objects.filter(user=user, project=project).first()
    return _access(user, membership, project)


def projects_for_user(user):
    """Projects the user is a member of, each annotated with ``my_role`` (read from the
    membership row the filter joins: one per project, no subquery per row)."""
    return Project.objects.filter(memberships__user=user).annotate(my_role=F("memberships__role"))


def memberships_of_project(project, *, order=("role", "user__full_name")):
    return Membership.objects.filter(project=project).select_related("user").order_by(*order)


def member_users(project):
    """Active users of a project, for owner and attendee choices."""
    return User.objects.filter(memberships__project=project, is_active=True).order_by("full_name")


def members_in_roles(project, roles):
    """Active members of the project holding one of ``roles``, by name."""
    return [
        membership.user
        for membership in Membership.objects.filter(
            project=project, role__in=list(roles), user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


def member_ids(project):
    """Ids of the project's active members (to check that chosen people belong to it)."""
    return set(
        Membership.objects.filter(project=project, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def pending_invitations(project):
    """Invitations of the project not yet accepted or revoked, newest first."""
    return list(
        Invitation.objects.filter(
            project=project, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-sent_at")
    )
