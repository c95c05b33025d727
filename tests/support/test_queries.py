"""The support pages make a number of queries that does not grow with the plan."""

import pytest
from django.urls import reverse

from projects.models import Role
from support import services
from support.summary import support_criteria
from tests.factories import make_cutover_plan
from tests.support.conftest import make_support_plan

pytestmark = pytest.mark.django_db

MAX_QUERIES = {"plan": 22, "coverage": 14, "hypercare": 14}


def _grow(project, pm, size):
    plan = make_support_plan(project, pm, lines=size, sessions=size, criteria=size)
    services.hypercare_start(plan=plan, acting_user=pm, today=project.go_live_date)
    import datetime

    for day in range(size):
        services.check_in_log(
            plan=plan, acting_user=pm, date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
            p1=day,
        )  # fmt: skip
    return plan


@pytest.mark.parametrize("page", ["plan", "coverage", "hypercare"])
@pytest.mark.parametrize("size", [1, 5])
def test_pages_make_flat_queries(
    client_for, project, members, django_assert_max_num_queries, page, size
):
    pm = members[Role.PROJECT_MANAGER]
    make_cutover_plan(project, steps=2)
    _grow(project, pm, size)
    client = client_for(pm)
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(reverse(f"support:{page}", args=[project.pk]))
    assert response.status_code == 200


def test_page_queries_are_the_same_at_two_sizes(
    client_for, project, members, outsider, django_assert_num_queries
):
    """Not just under a ceiling: the very same count for 1 and 5 of everything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pm = members[Role.PROJECT_MANAGER]
    _grow(project, pm, 1)
    other = outsider.memberships.get().project
    _grow(other, outsider, 5)
    counts = {}
    for who, where in ((pm, project), (outsider, other)):
        client = client_for(who)
        for page in MAX_QUERIES:
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse(f"support:{page}", args=[where.pk]))
            counts.setdefault(page, []).append(len(queries))
    for page, (small, large) in counts.items():
        assert small == large, page


@pytest.mark.parametrize("size", [1, 5])
def test_support_criteria_queries_are_fixed(project, members, django_assert_num_queries, size):
    make_support_plan(project, members[Role.PROJECT_MANAGER], lines=size, sessions=size)
    with django_assert_num_queries(7):
        criteria = support_criteria(project)
    assert criteria.in_use
