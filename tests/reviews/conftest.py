import pytest

from projects.models import Role
from reviews.services.items import review_item_update
from tests.factories import make_review


@pytest.fixture
def done_item(project, members):
    """An item of a new review, done and so up for sign-off by the business owner."""
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    item = review.items.get(key="item-0-1")
    return review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, status="done"
    )
