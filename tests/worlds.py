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
    ids.update(_review_ids(project, members))
    return ids, members


def _review_ids(project, members):
    from django.core.files.base import ContentFile

    from reviews.models import ItemEvidence
    from tests.factories import make_review

    review = make_review(project, acting_user=members[Role.FACILITATOR])
    item = review.items.first()
    evidence = ItemEvidence(item=item, title="plan.pdf", added_by=members[Role.FACILITATOR])
    evidence.file.save("plan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return {"review_pk": review.pk, "item_pk": item.pk, "evidence_pk": evidence.pk}


def foreign_world_ids():
    """Ids of a project and a user who is a member of a different project only."""
    ids, _ = project_world()
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.PROJECT_MANAGER)
    return ids, stranger
