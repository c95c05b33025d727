"""Reads for accounts, shaped for pages."""

from accounts.models import Membership


def memberships_of_project(project):
    return (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def member_users(project):
    """Users of a project, for owner and attendee choices."""
    from accounts.models import User

    return User.objects.filter(memberships__project=project, is_active=True).order_by("full_name")
