"""Object graphs for the access tests: one project with every kind of object."""

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


def project_world():
    """A project holding one object of every kind a URL can name; returns (ids, members)."""
    project = ProjectFactory()
    members = {}
    for role in Role.values:
        user = UserFactory()
        MembershipFactory(project=project, user=user, role=role)
        members[role] = user
    membership = Membership.objects.filter(project=project).first()
    ids = {"project_pk": project.pk, "membership_pk": membership.pk}
    return ids, members


def foreign_world_ids():
    """Ids of a project and a user who is a member of a different project only."""
    ids, _ = project_world()
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.PROJECT_MANAGER)
    return ids, stranger
