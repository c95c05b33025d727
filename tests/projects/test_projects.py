import datetime

from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Project, Role
from tests.factories import MembershipFactory, ProjectFactory


def test_create_project_makes_creator_project_manager(client_for, outsider):
    go_live = timezone.localdate() + datetime.timedelta(days=40)
    response = client_for(outsider).post(
        reverse("projects:project_create"),
        {
            "name": "Northwind ERP",
            "customer": "Northwind",
            "go_live_date": go_live.isoformat(),
            "scopes": ["finance_operations", "ax2012_upgrade"],
            "phase": "prepare",
            "reminder_due_soon_days": 3,
            "escalation_after_days": 5,
            "vote_rule": "all",
            "votes_required": 1,
        },
        follow=True,
    )
    project = Project.objects.get(name="Northwind ERP")
    assert project.scopes == ["finance_operations", "ax2012_upgrade"]
    assert Membership.objects.get(project=project, user=outsider).role == Role.PROJECT_MANAGER
    assert "You are its project manager" in response.text
    assert "40 days left" in response.text


def test_create_project_without_name_shows_error(client_for, outsider):
    response = client_for(outsider).post(reverse("projects:project_create"), {"customer": "X"})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Project.objects.filter(customer="X").exists()


def test_project_list_shows_only_my_projects(client_for, project, members):
    foreign = ProjectFactory(name="Someone else's project")
    response = client_for(members[Role.VIEWER]).get(reverse("project_list"))
    assert project.name in response.text
    assert foreign.name not in response.text


def test_home_shows_projects_with_days_left(client_for, project, members):
    response = client_for(members[Role.CONTRIBUTOR]).get(reverse("home"))
    assert project.name in response.text
    assert "30 days left" in response.text


def test_home_empty_state(client_for, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("home"))
    assert "You are not a member of any project yet." in response.text


def test_edit_project_by_facilitator(client_for, project, members):
    url = reverse("projects:project_edit", args=[project.pk])
    response = client_for(members[Role.FACILITATOR]).post(
        url,
        {
            "name": "Renamed",
            "customer": project.customer,
            "go_live_date": project.go_live_date.isoformat(),
            "phase": "operate",
            "scopes": [],
            "reminder_due_soon_days": 3,
            "escalation_after_days": 5,
            "vote_rule": "at_least",
            "votes_required": 2,
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "Renamed"
    assert project.votes_required == 2


def test_edit_project_refused_to_viewer(client_for, project, members):
    response = client_for(members[Role.VIEWER]).get(
        reverse("projects:project_edit", args=[project.pk])
    )
    assert response.status_code == 403


def test_project_page_shows_role_in_navigation(client_for, project, members):
    response = client_for(members[Role.APPROVER]).get(project.get_absolute_url())
    assert response.status_code == 200
    assert "<title>" + project.name in response.text
    assert "Approver</span>" in response.text


def test_non_member_gets_404(client_for, project, outsider):
    MembershipFactory(user=outsider)  # a member elsewhere only
    assert client_for(outsider).get(project.get_absolute_url()).status_code == 404


def test_moving_the_go_live_date_needs_a_reason_and_is_kept_as_a_re_plan(
    client_for, project, members
):
    import datetime

    from projects.models import GoLiveDateChange

    url = reverse("projects:project_edit", args=[project.pk])
    client = client_for(members[Role.PROJECT_MANAGER])
    old = project.go_live_date
    new = old + datetime.timedelta(days=14)
    data = {
        "name": project.name, "customer": project.customer, "go_live_date": new.isoformat(),
        "scopes": project.scopes, "phase": project.phase, "reminder_due_soon_days": 3,
        "escalation_after_days": 5, "vote_rule": "all", "votes_required": 1,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Say why the go-live date moves." in response.text
    project.refresh_from_db()
    assert project.go_live_date == old
    response = client.post(url, {**data, "replan_reason": "Bank holiday weekend"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.go_live_date == new
    change = GoLiveDateChange.objects.get(project=project)
    assert (change.old_date, change.new_date, change.reason, change.changed_by) == (
        old, new, "Bank holiday weekend", members[Role.PROJECT_MANAGER],
    )  # fmt: skip
    page = client.get(project.get_absolute_url()).text
    assert "Bank holiday weekend" in page
