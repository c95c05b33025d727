"""The register, My actions and Actions by owner make the same number of queries at 50 and 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from risks.views.register import REGISTER_PAGE_SIZE
from tests.factories import RiskFactory

from .conftest import bulk_register

# Every page: session + user, then the project with my role (not on My actions).
# Register: filter choices (owners, areas, reviews), count, page rows, their actions, heat map.
# Actions by owner: counts per owner, the owners, open actions, members for reassignment.
# Detail: finding, actions, its history, its actions' history, members for the action form.
MAX_QUERIES = {
    "register": 10,
    "register_filtered": 10,
    "register_xlsx": 8,
    "my_actions": 4,  # with the page count
    "actions_by_owner": 6,
    "risk_detail": 10,  # + its questions and the members one may mention
}


@pytest.fixture(params=[50, 500], ids=["50-risks", "500-risks"])
def big_register(request, project, members):
    owners = [members[Role.CONTRIBUTOR], members[Role.APPROVER], members[Role.FACILITATOR]]
    risks = bulk_register(project, owners, members[Role.FACILITATOR], request.param)
    return risks


def test_register_query_count(
    client_for, project, members, big_register, django_assert_max_num_queries
):
    client = client_for(members[Role.PROJECT_MANAGER])
    url = reverse("risks:register", args=[project.pk])
    with django_assert_max_num_queries(MAX_QUERIES["register"]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count("<tr>") > min(len(big_register), REGISTER_PAGE_SIZE)  # rows


def test_filtered_register_query_count(
    client_for, project, members, big_register, django_assert_max_num_queries
):
    client = client_for(members[Role.VIEWER])
    url = reverse("risks:register", args=[project.pk])
    params = {
        "status": "active", "severity": "medium", "owner": members[Role.APPROVER].pk,
        "plan": "", "sort": "-actions", "page": 1,
    }  # fmt: skip
    with django_assert_max_num_queries(MAX_QUERIES["register_filtered"]):
        assert client.get(url, params).status_code == 200


def test_register_export_query_count(
    client_for, project, members, big_register, django_assert_max_num_queries
):
    client = client_for(members[Role.VIEWER])
    with django_assert_max_num_queries(MAX_QUERIES["register_xlsx"]):
        assert client.get(reverse("risks:register_xlsx", args=[project.pk])).status_code == 200


def test_my_actions_query_count(client_for, members, big_register, django_assert_max_num_queries):
    client = client_for(members[Role.CONTRIBUTOR])
    with django_assert_max_num_queries(MAX_QUERIES["my_actions"]):
        response = client.get(reverse("risks:my_actions"))
    assert "Overdue step" in response.text


def test_actions_by_owner_query_count(
    client_for, project, members, big_register, django_assert_max_num_queries
):
    client = client_for(members[Role.PROJECT_MANAGER])
    with django_assert_max_num_queries(MAX_QUERIES["actions_by_owner"]):
        response = client.get(reverse("risks:actions_by_owner", args=[project.pk]))
    assert "Reassign" in response.text


def test_risk_detail_query_count(
    client_for, project, members, big_register, django_assert_max_num_queries
):
    client = client_for(members[Role.PROJECT_MANAGER])
    risk = big_register[1]
    with django_assert_max_num_queries(MAX_QUERIES["risk_detail"]):
        assert client.get(risk.get_absolute_url()).status_code == 200


def test_project_card_and_home_panels_are_constant(
    project, members, big_register, django_assert_num_queries, django_assert_max_num_queries
):
    from risks.selectors import home_risk_panels, project_risk_summary

    with django_assert_num_queries(3):  # findings figures, action figures, heat map
        summary = project_risk_summary(project)
    assert summary["total"] == len(big_register)
    # Blockers per project; my first overdue actions, and (a full first page) their count,
    # which stops at the cap.
    with django_assert_max_num_queries(3):
        panels = home_risk_panels(members[Role.CONTRIBUTOR], [project])
    assert panels["my_overdue_actions"]


def test_home_counts_my_overdue_actions_up_to_the_cap(client_for, project, members):
    """Someone with more overdue actions than home counts sees the first ones, most overdue
    first, and "99+"; with fewer, the exact count."""
    from risks.models import MitigationAction
    from risks.selectors.panels import HOME_COUNT_CAP

    me = members[Role.CONTRIBUTOR]
    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR])
    today = timezone.localdate()
    MitigationAction.objects.bulk_create(
        MitigationAction(
            risk=risk,
            project=project,
            owner=me,
            description=f"Overdue {n}",
            due_date=today - datetime.timedelta(days=n + 1),
        )
        for n in range(HOME_COUNT_CAP + 5)
    )
    page = client_for(me).get("/").text
    assert '<span class="badge text-bg-danger">99+</span>' in page
    assert "All overdue actions (first) and the rest of my actions" in page
    assert page.index(f"Overdue {HOME_COUNT_CAP + 4}") < page.index(f"Overdue {HOME_COUNT_CAP + 3}")
    MitigationAction.objects.filter(description__startswith="Overdue 1").delete()
    page = client_for(me).get("/").text
    left = MitigationAction.objects.filter(owner=me).count()
    assert left < HOME_COUNT_CAP
    assert f'<span class="badge text-bg-danger">{left}</span>' in page
    assert f"All {left} overdue actions (first)" in page


def test_my_actions_is_paged_fifty_at_a_time(client_for, project, members):
    from risks.models import MitigationAction

    bulk_register(project, [members[Role.CONTRIBUTOR]], members[Role.FACILITATOR], 60)
    total = MitigationAction.objects.filter(
        owner=members[Role.CONTRIBUTOR], status__in=["open", "in_progress"]
    ).count()
    assert total > 50
    client = client_for(members[Role.CONTRIBUTOR])
    first = client.get(reverse("risks:my_actions"))
    pages = -(-total // 50)
    assert f"Page 1 of {pages} ({total} actions)" in first.text
    assert first.text.count('id="action-desc-') == 50
    last = client.get(reverse("risks:my_actions"), {"page": pages})
    assert f"Page {pages} of {pages}" in last.text
