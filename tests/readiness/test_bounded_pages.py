"""Home, the project page and the gate show the first rows of each list that grows with the
data, with the whole count and a link to the full, paged list; their query counts stay
flat (issue 13)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from reviews.models import ReviewItem
from tests.factories import (
    MembershipFactory,
    MitigationActionFactory,
    ProjectFactory,
    RiskFactory,
    UserFactory,
    make_review,
    make_template,
)

CARD = 'class="card h-100 shadow-sm"'


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def approver_in_projects(count):
    """An approver (business owner) in ``count`` projects, each with a review of six items
    done and awaiting their sign-off, and two overdue actions of theirs."""
    me = UserFactory(full_name="Ada Approver")
    template = make_template()
    for number in range(count):
        project = ProjectFactory(
            name=f"Bounded project {number:02d}", go_live_date=days(10 + number)
        )
        MembershipFactory(
            project=project, user=me, role=Role.APPROVER, signoff_roles=["business_owner"]
        )
        review = make_review(project, template=template)
        ReviewItem.objects.filter(review=review).update(status="done")
        for _ in range(2):
            MitigationActionFactory(risk=RiskFactory(project=project), owner=me, due_date=days(-3))
    return me


@pytest.mark.parametrize("projects", [1, 15])
def test_home_shows_the_first_projects_and_lists_with_counts_in_flat_queries(
    client_for, db, projects, django_assert_max_num_queries
):
    me = approver_in_projects(projects)
    client = client_for(me)
    client.get(reverse("home"))  # scores into the cache
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    page = response.text
    assert page.count(CARD) == min(projects, 9)
    assert "Bounded project 00" in page
    awaiting, overdue = projects * 6, projects * 2
    assert f'<span class="badge text-bg-warning">{awaiting}</span>' in page
    assert f'<span class="badge text-bg-danger">{overdue}</span>' in page
    if projects > 9:
        assert "Bounded project 14" not in page  # the latest go-live is past the first nine
        assert f"See all {projects} projects" in page
        assert f"All {awaiting} items awaiting my sign-off" in page
        assert f"All {overdue} overdue actions (first) and the rest of my actions" in page
    else:
        assert "See all" not in page
        assert "items awaiting my sign-off</a>" not in page
        assert "overdue actions (first)" not in page


def test_project_list_is_paged(client_for, db):
    me = UserFactory()
    for number in range(30):
        MembershipFactory(
            project=ProjectFactory(name=f"Paged project {number:02d}", go_live_date=days(number)),
            user=me,
        )
    client = client_for(me)
    first = client.get(reverse("project_list")).text
    assert first.count(CARD) == 24
    assert "Page 1 of 2 (30 projects)" in first
    second = client.get(reverse("project_list") + "?page=2").text
    assert second.count(CARD) == 6
    assert "Paged project 29" in second
    assert client.get(reverse("project_list") + "?page=junk").status_code == 200


def test_awaiting_my_signoff_is_paged(client_for, db):
    me = approver_in_projects(10)  # 60 items wait
    client = client_for(me)
    first = client.get(reverse("reviews:awaiting_signoff")).text
    assert "Page 1 of 2 (60 items)" in first
    assert (
        client.get(reverse("reviews:awaiting_signoff") + "?page=2").text.count(
            "waiting for your sign-off as"
        )
        == 10
    )


def record_no_go(review, members):
    from decisions.services import decision_open, decision_record, vote_cast

    decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    vote_cast(decision=decision, acting_user=members[Role.APPROVER], choice="no_go")
    decision_record(
        decision=decision, acting_user=members[Role.PROJECT_MANAGER], outcome="no_go",
        rationale="Not ready yet.", what_must_change="Finish the migration rehearsals.",
    )  # fmt: skip


@pytest.mark.parametrize("reviews", [2, 12])
def test_project_page_shows_the_newest_reviews_and_decisions(
    client_for, project, members, reviews, django_assert_max_num_queries
):
    template = make_template()
    for number in range(reviews):
        review = make_review(project, template=template, title=f"Check {number:02d}",
                             scheduled_date=days(-30 + number))  # fmt: skip
        record_no_go(review, members)
    client = client_for(members[Role.PROJECT_MANAGER])
    client.get(project.get_absolute_url())  # scores into the cache
    with django_assert_max_num_queries(18):
        page = client.get(project.get_absolute_url()).text
    assert "Check 11" in page if reviews == 12 else "Check 01" in page
    # Each decision shows the score frozen in its snapshot (read out in SQL).
    assert '<span class="state-not_ready">Not ready</span> at 0% when decided' in page
    decisions_url = reverse("decisions:decision_list", args=[project.pk])
    if reviews > 10:
        assert "Check 00" not in page.split('id="decisions-heading"')[0]  # the oldest review
        assert f"All {reviews} reviews" in page
        assert f"All {reviews} decisions" in page
        assert f'href="{decisions_url}"' in page
        listed = client.get(decisions_url).text
        assert listed.count("on “Check") == reviews
        reviews_page = client.get(reverse("reviews:review_list", args=[project.pk])).text
        assert "Check 00" in reviews_page
    else:
        assert "All 2 reviews" not in page
        assert f'href="{decisions_url}"' not in page


def test_decision_list_of_a_project_without_decisions_says_so(client_for, project, members):
    page = client_for(members[Role.VIEWER]).get(
        reverse("decisions:decision_list", args=[project.pk])
    )
    assert "No decision recorded yet." in page.text


def test_decision_list_is_a_404_outside_the_project(client_for, project, members):
    outsider = client_for(UserFactory())
    url = reverse("decisions:decision_list", args=[project.pk])
    assert outsider.get(url).status_code == 404


@pytest.mark.parametrize("overdue", [3, 20])
def test_gate_shows_the_first_overdue_actions_and_blockers_with_counts(
    client_for, project, members, overdue, django_assert_max_num_queries
):
    review = make_review(project)
    for number in range(overdue):
        risk = RiskFactory(project=project, is_blocker=True, title=f"Blocker finding {number}")
        MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR], due_date=days(-5))
    client = client_for(members[Role.FACILITATOR])
    url = reverse("decisions:decision", args=[project.pk, review.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url).text
    assert f"Overdue mitigation actions ({overdue})" in page
    if overdue > 15:
        assert "… and 5 more blocker findings" in page
        assert "?status=active&amp;blocker=yes" in page
        assert "… and 5 more (" in page
    else:
        assert "more blocker finding" not in page
