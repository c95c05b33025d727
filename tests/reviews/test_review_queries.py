"""The review page's query count does not grow with the number of items."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from projects.models import Role
from reviews.models import ReviewItem, ReviewItemChange, SignOff
from tests.factories import MembershipFactory, UserFactory, make_review, make_template

# Same budget at 20 and at 200 items.
REVIEW_PAGE_MAX_QUERIES = 10


def big_review(project, members, items):
    sections = 5
    review = make_review(
        project, template=make_template(sections=sections, items_per_section=items // sections)
    )
    approvers = [members[Role.APPROVER]]
    for _ in range(2):
        user = UserFactory()
        MembershipFactory(project=project, user=user, role=Role.APPROVER)
        approvers.append(user)
    all_items = list(review.items.all())
    ReviewItem.objects.filter(review=review).update(status="done", owner=members[Role.CONTRIBUTOR])
    SignOff.objects.bulk_create(
        SignOff(
            item=item, signer=approver, decision="approve", item_version=1, as_role="business_owner"
        )
        for item in all_items
        for approver in approvers
    )
    ReviewItemChange.objects.bulk_create(
        ReviewItemChange(
            item=item, user=members[Role.FACILITATOR], version=2, changes={"status": ["a", "b"]}
        )
        for item in all_items
    )
    return review


def decide(review, members):
    import datetime

    from django.utils import timezone

    from decisions.selectors import gate, overrides, vote_tally
    from decisions.services import decision_open, decision_record, vote_cast

    decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    for approver in review.project.memberships.filter(role=Role.APPROVER).select_related("user"):
        vote_cast(decision=decision, acting_user=approver.user, choice="go")
    condition = {"description": "Mock cutover", "owner": members[Role.CONTRIBUTOR],
                 "due_date": timezone.localdate() + datetime.timedelta(days=3)}  # fmt: skip
    decision_record(
        decision=decision, acting_user=members[Role.PROJECT_MANAGER], outcome="conditional_go",
        rationale="Go if the mock cutover fits", conditions=[condition],
        override_reason="Steering accepts the open items",
        confirm_override=overrides(gate(review), vote_tally(decision)),
    )  # fmt: skip


@pytest.mark.parametrize("items", [20, 200])
def test_review_page_query_count_is_constant(
    client_for, project, members, items, django_assert_max_num_queries
):
    review = big_review(project, members, items)
    client = client_for(members[Role.APPROVER])
    with django_assert_max_num_queries(REVIEW_PAGE_MAX_QUERIES):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert f"Showing {items} of {items} items." in response.text
    item = review.items.first()
    with django_assert_max_num_queries(10):
        assert client.get(item.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("items", [20, 200])
def test_project_and_home_pages_query_count_is_constant(
    client_for, project, members, items, django_assert_max_num_queries
):
    big_review(project, members, items)
    review = big_review(project, members, items)
    decide(review, members)
    client = client_for(members[Role.APPROVER])
    # The project page lists its re-plans too (one query); it shows the newest reviews and
    # decisions only, so their item counts and each review's decision are two queries apart.
    with django_assert_max_num_queries(19):
        assert client.get(project.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(16):  # scores now come from the cache
        assert client.get(project.get_absolute_url()).status_code == 200
    cache.clear()
    with django_assert_max_num_queries(15):
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("reviews:awaiting_signoff")).status_code == 200


@pytest.mark.parametrize("page", ["review", "gate"])
def test_a_project_page_reads_the_project_once(client_for, project, members, page):
    """One scope lookup per request: the membership and its project in one query, which
    the page reuses (the review is fetched without its project again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = big_review(project, members, 20)
    client = client_for(members[Role.FACILITATOR])
    url = review.get_absolute_url() + ("decision/" if page == "gate" else "")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    reading_project = [
        query["sql"]
        for query in captured.captured_queries
        if '"projects_project"."name"' in query["sql"]
    ]
    assert len(reading_project) == 1, reading_project
