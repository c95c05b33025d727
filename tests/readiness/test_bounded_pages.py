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
    with django_assert_max_num_queries(15):
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


def _titles_awaiting(client):
    """The titles of the items in home's "Awaiting my sign-off" panel."""
    import re

    panel = client.get(reverse("home")).text.split('id="awaiting-heading"')[1]
    panel = panel.split("</section>")[0]
    return set(re.findall(r'<a href="/projects/[^"]+">(Item [^<]+)</a>', panel))


def test_home_lists_only_the_items_each_signer_may_sign(client_for, project, members):
    """Which items wait on whom is decided in SQL first (the roles each item names against
    those the viewer holds in the project), then by the sign-offs already given."""
    from reviews.services.signoffs import item_sign_off

    review = make_review(project)
    roles = {
        "Item 0.0": [],  # names no role: any approver
        "Item 0.1": ["test_lead"],
        "Item 0.2": ["business_owner", "test_lead"],
        "Item 1.0": ["project_manager"],  # the project manager signs it by office
        "Item 1.1": ["test_lead"],  # signed below by another test lead
        "Item 1.2": ["security_lead"],  # nobody holds it
    }
    for item in review.items.all():
        item.signoff_roles = roles[item.title]
        item.status = "done"
        item.save()
    tester, other_tester = UserFactory(), UserFactory()
    for person in (tester, other_tester):
        MembershipFactory(
            project=project, user=person, role=Role.CONTRIBUTOR, signoff_roles=["test_lead"]
        )
    item_sign_off(
        item=review.items.get(title="Item 1.1"), acting_user=other_tester, decision="approve"
    )
    assert _titles_awaiting(client_for(members[Role.APPROVER])) == {"Item 0.0", "Item 0.2"}
    assert _titles_awaiting(client_for(tester)) == {"Item 0.1", "Item 0.2"}
    assert _titles_awaiting(client_for(members[Role.PROJECT_MANAGER])) == {"Item 1.0"}
    assert _titles_awaiting(client_for(members[Role.VIEWER])) == set()
    viewer_home = client_for(members[Role.VIEWER]).get(reverse("home")).text
    assert "Nothing waits for your sign-off." in viewer_home


def test_home_counts_awaiting_items_up_to_a_cap(client_for, db, monkeypatch):
    monkeypatch.setattr("readiness.dashboard.HOME_COUNT_CAP", 9)
    me = approver_in_projects(2)  # 12 items wait
    page = client_for(me).get(reverse("home")).text
    assert '<span class="badge text-bg-warning">9+</span>' in page
    assert page.count("waiting for your sign-off as") == 8
    assert ">All items awaiting my sign-off</a>" in page
    full = client_for(me).get(reverse("reviews:awaiting_signoff")).text
    assert full.count("waiting for your sign-off as") == 12


def test_home_looks_at_the_first_candidates_only(client_for, db, monkeypatch):
    """Past the first AWAITING_SCAN items that might wait, home says "N+" and links to the
    full list; when none of those waits, it says so without claiming nothing does."""
    from reviews.services.signoffs import item_sign_off

    monkeypatch.setattr("reviews.selectors.items.AWAITING_SCAN", 4)
    me = approver_in_projects(2)  # 6 items in "Bounded project 00", 6 in "... 01"
    client = client_for(me)
    page = client.get(reverse("home")).text
    assert '<span class="badge text-bg-warning">4+</span>' in page
    assert page.count("waiting for your sign-off as") == 4
    # Another business owner signs the first project's items: they wait on nobody now, and
    # the first four candidates home looks at are among them.
    first = ReviewItem.objects.filter(review__project__name="Bounded project 00")
    other = UserFactory()
    MembershipFactory(
        project=first[0].review.project, user=other, role=Role.APPROVER,
        signoff_roles=["business_owner"],
    )  # fmt: skip
    for item in first:
        item_sign_off(item=item, acting_user=other, decision="approve")
    page = client.get(reverse("home")).text
    assert "Nothing waits for your sign-off." not in page
    assert "None of the first items of your projects waits for you." in page
    assert ">All items awaiting my sign-off</a>" in page
    full = client.get(reverse("reviews:awaiting_signoff")).text
    assert full.count("waiting for your sign-off as") == 6
