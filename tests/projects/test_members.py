import pytest
from django.urls import reverse

from projects.models import Membership, Role
from tests.factories import UserFactory


def members_url(project, name="members", *args):
    return reverse(f"projects:{name}", args=[project.pk, *args])


def test_members_page_lists_members(client_for, project, members):
    response = client_for(members[Role.VIEWER]).get(members_url(project))
    assert response.status_code == 200
    for user in members.values():
        assert user.email in response.text
    assert "Add a member" not in response.text  # only the project manager manages


def test_add_member_by_email(client_for, project, members):
    newcomer = UserFactory(email="new.person@example.com", full_name="New Person")
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_add"),
        {"email": "New.Person@example.com", "role": Role.APPROVER},
        follow=True,
    )
    assert response.status_code == 200
    assert "New Person added as approver" in response.text
    assert Membership.objects.get(project=project, user=newcomer).role == Role.APPROVER


def test_add_member_unknown_email_shows_form_error(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_add"), {"email": "nobody@example.com", "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "No active user has the e-mail address nobody@example.com" in response.text
    assert not Membership.objects.filter(user__email="nobody@example.com").exists()


def test_add_member_bad_email_shows_form_error(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_add"), {"email": "not-an-email", "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text


def test_add_existing_member_is_refused(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_add"),
        {"email": members[Role.VIEWER].email, "role": Role.APPROVER},
    )
    assert response.status_code == 400
    assert "already a member" in response.text
    assert Membership.objects.get(project=project, user=members[Role.VIEWER]).role == Role.VIEWER


def test_change_role(client_for, project, members):
    membership = Membership.objects.get(project=project, user=members[Role.VIEWER])
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_change_role", membership.pk),
        {f"m{membership.pk}-role": Role.CONTRIBUTOR},
        follow=True,
    )
    assert "is now contributor" in response.text
    membership.refresh_from_db()
    assert membership.role == Role.CONTRIBUTOR


def test_remove_member(client_for, project, members):
    membership = Membership.objects.get(project=project, user=members[Role.VIEWER])
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_remove", membership.pk), follow=True
    )
    assert "removed from the project" in response.text
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_removing_last_project_manager_is_refused(client_for, project, members):
    manager = members[Role.PROJECT_MANAGER]
    membership = Membership.objects.get(project=project, user=manager)
    response = client_for(manager).post(
        members_url(project, "member_remove", membership.pk), follow=True
    )
    assert "is the last project manager" in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_demoting_last_project_manager_is_refused(client_for, project, members):
    manager = members[Role.PROJECT_MANAGER]
    membership = Membership.objects.get(project=project, user=manager)
    response = client_for(manager).post(
        members_url(project, "member_change_role", membership.pk),
        {f"m{membership.pk}-role": Role.VIEWER},
        follow=True,
    )
    assert "is the last project manager" in response.text
    membership.refresh_from_db()
    assert membership.role == Role.PROJECT_MANAGER


def test_removing_a_manager_when_another_remains(client_for, project, members):
    second = UserFactory()
    Membership.objects.create(project=project, user=second, role=Role.PROJECT_MANAGER)
    membership = Membership.objects.get(project=project, user=members[Role.PROJECT_MANAGER])
    client_for(second).post(members_url(project, "member_remove", membership.pk))
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PROJECT_MANAGER])
def test_only_project_manager_changes_members(client_for, project, members, role):
    target = Membership.objects.get(project=project, user=members[Role.VIEWER])
    client = client_for(members[role])
    assert client.post(members_url(project, "member_remove", target.pk)).status_code == 403
    assert (
        client.post(
            members_url(project, "member_add"), {"email": "x@example.com", "role": "viewer"}
        ).status_code
        == 403
    )
    assert Membership.objects.filter(pk=target.pk).exists()


def test_project_manager_sets_stakeholder_roles(client_for, project, members):
    membership = Membership.objects.get(project=project, user=members[Role.CONTRIBUTOR])
    url = members_url(project, "member_stakeholder_roles", membership.pk)
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        url, {"signoff_roles": ["test_lead", "business_owner"]}, follow=True
    )
    assert "Stakeholder roles of Contributor Person saved." in response.text
    assert "Test lead" in response.text
    membership.refresh_from_db()
    assert membership.signoff_roles == ["business_owner", "test_lead"]


def test_stakeholder_roles_refused_to_others(client_for, project, members):
    membership = Membership.objects.get(project=project, user=members[Role.CONTRIBUTOR])
    url = members_url(project, "member_stakeholder_roles", membership.pk)
    assert client_for(members[Role.FACILITATOR]).get(url).status_code == 403
    response = client_for(members[Role.PROJECT_MANAGER]).post(url, {"signoff_roles": ["nobody"]})
    assert "Select a valid choice" in response.text
