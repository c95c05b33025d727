"""A list of the API makes the same number of queries for a few rows or many."""

import datetime

import pytest
from django.utils import timezone

from cutover.models import CutoverRun, Step
from decisions.models import Decision
from projects.models import Role
from reviews.models import ReviewItem
from tests.factories import (
    MembershipFactory,
    MitigationActionFactory,
    RiskFactory,
    make_review,
    make_summary,
    make_template,
)

LISTS = {
    "projects": "/api/v1/projects/",
    "members": "/api/v1/projects/{project_pk}/members/",
    "reviews": "/api/v1/projects/{project_pk}/reviews/",
    "items": "/api/v1/projects/{project_pk}/reviews/{review_pk}/items/",
    "findings": "/api/v1/projects/{project_pk}/findings/",
    "actions": "/api/v1/projects/{project_pk}/findings/{risk_pk}/actions/",
    "decisions": "/api/v1/projects/{project_pk}/decisions/",
    "steps": "/api/v1/projects/{project_pk}/cutover/steps/",
    "runs": "/api/v1/projects/{project_pk}/cutover/runs/",
    "summaries": "/api/v1/projects/{project_pk}/reviews/{review_pk}/summaries/",
}
# Queries a list may make at any size: the token, the membership, the rows and the count,
# and what the rows' selector loads beside them (sign-offs and owners of items, a
# finding's filter choices, a decision's conditions and votes...).
MAX_QUERIES = 10


def grow(ids, members, n):
    """Add ``n`` more of everything each list shows to the world's project."""
    project_id = ids["project_pk"]
    facilitator = members[Role.FACILITATOR]
    for _ in range(n):
        MembershipFactory(project_id=project_id)
        risk = RiskFactory(project_id=project_id, raised_by=facilitator)
        MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR])
        MitigationActionFactory(risk_id=ids["risk_pk"], owner=members[Role.CONTRIBUTOR])
        make_summary(ReviewItem.objects.get(pk=ids["item_pk"]).review, requested_by=facilitator)
    project = facilitator.memberships.get(project_id=project_id).project
    big = make_template(sections=4, items_per_section=n, key=f"big-{n}")
    for index in range(3):
        review = make_review(project, template=big, acting_user=facilitator, title=f"R{index}")
        Decision.objects.create(
            review=review, opened_by=facilitator, status="recorded", outcome="go",
            recorded_by=facilitator, recorded_at=timezone.now(), snapshot={"score": {}},
        )  # fmt: skip
    step = Step.objects.get(pk=ids["step_pk"])
    Step.objects.bulk_create(
        Step(plan_version=step.plan_version, number=100 + i, title=f"S{i}", owner=facilitator)
        for i in range(n)
    )
    started = timezone.now() - datetime.timedelta(days=1)
    CutoverRun.objects.bulk_create(
        CutoverRun(
            plan=step.plan_version.plan,
            plan_version=step.plan_version,
            kind="rehearsal",
            number=10 + i,
            status="finished",
            started_at=started,
            ended_at=started,
            started_by=facilitator,
        )
        for i in range(n)
    )


def _count(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url, page_size=200)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()["count"]


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(world, api_as, name, django_assert_max_num_queries):
    ids, members = world
    client = api_as(members[Role.PROJECT_MANAGER])
    url = LISTS[name].format(**ids)
    client.get(url)  # the token's "last used" is written once, on its first request
    small, small_rows = _count(client, url, django_assert_max_num_queries)
    grow(ids, members, 25)
    if name == "items":  # the big review's items
        review = ReviewItem.objects.filter(review__project=ids["project_pk"]).latest("pk").review
        url = LISTS[name].format(**{**ids, "review_pk": review.pk})
    large, large_rows = _count(client, url, django_assert_max_num_queries)
    assert large_rows > small_rows or name == "projects"
    assert large == small
