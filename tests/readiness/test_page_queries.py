"""Home's "Awaiting my sign-off" and the project page: what they show, found by indexes and
in the same number of queries whatever the data (issue 13)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from reviews.models import ReviewItem
from reviews.selectors.items import items_awaiting_signoff
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review
from tests.readiness.test_bounded_pages import record_no_go


def _mark(review, roles):
    for item in review.items.all():
        item.signoff_roles = roles.get(item.title, ["security_lead"])
        item.status = "done"
        item.save()


def test_awaiting_follows_the_roles_held_in_each_project(db):
    """An approver who is business owner in one project and not in the other: the items
    naming no role wait in both, those naming the business owner only in the first."""
    me = UserFactory()
    owner_in, plain_in = ProjectFactory(name="A owner"), ProjectFactory(name="B plain")
    MembershipFactory(
        project=owner_in, user=me, role=Role.APPROVER, signoff_roles=["business_owner"]
    )
    MembershipFactory(project=plain_in, user=me, role=Role.APPROVER, signoff_roles=[])
    for project in (owner_in, plain_in):
        _mark(make_review(project), {"Item 0.0": [], "Item 0.1": ["business_owner"]})
    waiting = {(item.review.project.name, item.title) for item in items_awaiting_signoff(me)}
    assert waiting == {("A owner", "Item 0.0"), ("A owner", "Item 0.1"), ("B plain", "Item 0.0")}


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason=(
        "reads SQLite's EXPLAIN QUERY PLAN; PostgreSQL chooses by table statistics, and on"
        " a test table of a few rows a sequential scan is its right choice, so its plan"
        " would prove nothing (the index's existence is tested on both)"
    ),
)
def test_awaiting_items_that_name_no_role_are_found_by_the_index(db):
    """An approver without stakeholder roles waits only on items that name none: the
    (status, signoff_roles) index finds them without reading every done item."""
    me = UserFactory()
    project = ProjectFactory()
    MembershipFactory(project=project, user=me, role=Role.APPROVER, signoff_roles=[])
    _mark(make_review(project), {"Item 0.0": []})
    with CaptureQueriesContext(connection) as queries:
        waiting = items_awaiting_signoff(me)
    assert [item.title for item in waiting] == ["Item 0.0"]
    sql = next(q["sql"] for q in queries if 'FROM "reviews_reviewitem"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "review_item_signoff_idx" in plan


def test_the_signoff_index_exists():
    indexes = {index.name: index.fields for index in ReviewItem._meta.indexes}
    assert indexes["review_item_signoff_idx"] == ["status", "signoff_roles"]


def _project_page_queries(client, project):
    client.get(project.get_absolute_url())  # scores into the cache
    with CaptureQueriesContext(connection) as queries:
        page = client.get(project.get_absolute_url()).text
    return len(queries), page


def test_project_page_queries_do_not_grow_with_the_first_decision(client_for, project, members):
    """The decision list shows how many conditions each decision has, counted in its own
    query: the page costs the same queries before and after decisions are recorded."""
    from decisions.models import DecisionCondition

    client = client_for(members[Role.PROJECT_MANAGER])
    review = make_review(project, title="First check")
    before, page = _project_page_queries(client, project)
    assert "No decision recorded yet." in page
    record_no_go(review, members)
    decision = review.decisions.get()
    for number in range(2):
        DecisionCondition.objects.create(
            decision=decision, description=f"Condition {number}",
            owner=members[Role.CONTRIBUTOR],
            due_date=timezone.localdate() + datetime.timedelta(days=5),
        )  # fmt: skip
    after, page = _project_page_queries(client, project)
    assert after == before
    assert "· 2 conditions</span>" in page
    listed = client.get(reverse("decisions:decision_list", args=[project.pk])).text
    assert "· 2 conditions</span>" in listed


def test_project_page_no_plan_figure_follows_actions_and_members(client_for, project, members):
    """The risk card's "without a mitigation plan" is cached under what it depends on: a
    new action, an edited due date and an owner leaving the project each show at once."""
    from projects.models import Membership
    from projects.services.members import membership_remove
    from risks.services.actions import action_create, action_update
    from tests.factories import RiskFactory

    pm, owner = members[Role.PROJECT_MANAGER], members[Role.CONTRIBUTOR]
    risk = RiskFactory(project=project, likelihood=3, impact=3)
    client = client_for(pm)

    def card():
        shown = set()
        for _ in range(2):  # computed, then from the cache: the same
            page = client.get(project.get_absolute_url()).text
            shown.add(("1 without a mitigation plan" in page, "Every open risk has a" in page))
        assert len(shown) == 1
        return shown.pop()

    assert card() == (True, False)
    action = action_create(
        risk=risk, acting_user=pm, description="Rehearse", owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip
    assert card() == (False, True)
    action_update(action=action, acting_user=pm, due_date=None)
    assert card() == (True, False)
    action.refresh_from_db()
    action_update(action=action, acting_user=pm, due_date=timezone.localdate())
    assert card() == (False, True)
    membership_remove(membership=Membership.objects.get(project=project, user=owner))
    assert card() == (True, False)
