import pytest

from projects.models import Role
from projects.selectors import project_access
from reviews.selectors.items import item_subject
from risks.selectors.findings import finding_subject


@pytest.fixture
def item_subject_of(project):
    """The question subject of an item, as the facilitator's page builds it."""

    def build(item, user):
        return item_subject(project_access(user=user, project=project), item.pk, item=item)

    return build


@pytest.fixture
def subject(review_item, members, item_subject_of):
    return item_subject_of(review_item, members[Role.FACILITATOR])


@pytest.fixture
def finding(project, members, risk):
    access = project_access(user=members[Role.FACILITATOR], project=project)
    return finding_subject(access, risk.pk)
