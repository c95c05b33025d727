import contextlib
import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import Membership, Role
from tests.factories import UserFactory


@contextlib.contextmanager
def freeze_signing(*, days):
    """Open links as if ``days`` had passed (Django's signing reads time.time())."""
    real = time.time
    time.time = lambda: real() + days * 86400
    try:
        yield
    finally:
        time.time = real


def members_url(project, name="members", *args):
    return reverse(f"projects:{name}", args=[project.pk, *args])


def test_members_page_lists_members(client_for, project, members):
    response = client_for(members[Role.VIEWER]).get(members_url(project))
    assert response.status_code == 200
    for user in members.values():
        assert user.email in response.text
    assert "Invite someone" not in response.text  # only the project manager manages
    assert "Pending invitations" not in response.text


@pytest.fixture(autouse=True)
def _commit_each_request(django_capture_on_commit_callbacks, monkeypatch):
    """Invitations are e-mailed after the commit. The test's transaction never commits, so
    each request the test client makes runs its on-commit callbacks when it ends, as a
    committed request would."""
    from django.test import Client

    real = Client.request

    def request(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


def invite(client, project, email, role=Role.APPROVER, **extra):
    return client.post(
        members_url(project, "member_invite"), {"email": email, "role": role, **extra}, follow=True
    )


def invitation_link(message):
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_the_answer_to_an_invitation_is_the_same_with_or_without_an_account(
    client_for, project, members, site_url
):
    """The members page never tells whether an address has an account, and adds nobody."""
    UserFactory(email="has.account@example.com", full_name="Has Account")
    client = client_for(members[Role.PROJECT_MANAGER])
    with_account = invite(client, project, "Has.Account@example.com")
    without = invite(client, project, "no.account@example.com")
    assert with_account.status_code == without.status_code == 200
    assert (
        "Invitation sent to has.account@example.com. They join as approver once they accept."
        in (with_account.text)
    )
    assert "Invitation sent to no.account@example.com. They join as approver once they accept." in (
        without.text
    )
    assert not Membership.objects.filter(
        project=project, user__email__in=["has.account@example.com", "no.account@example.com"]
    ).exists()
    assert [m.to for m in mail.outbox] == [["has.account@example.com"], ["no.account@example.com"]]


def test_an_invited_person_without_an_account_sets_a_password_and_lands_in_the_project(
    client, project, members, client_for, site_url
):
    invite(client_for(members[Role.PROJECT_MANAGER]), project, "new.person@example.com",
           signoff_roles=["test_lead"])  # fmt: skip
    client.logout()
    link = invitation_link(mail.outbox[0])
    page = client.get(link)
    assert "Choose your name and a password" in page.text
    weak = client.post(link, {"full_name": "New Person", "password1": "1234", "password2": "1234"})
    assert weak.status_code == 400
    assert "This password is too short" in weak.text
    response = client.post(
        link,
        {
            "full_name": "New Person",
            "password1": "long-enough-pass-9",
            "password2": "long-enough-pass-9",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert "Welcome to" in response.text
    membership = Membership.objects.get(project=project, user__email="new.person@example.com")
    assert (membership.role, membership.signoff_roles) == (Role.APPROVER, ["test_lead"])
    # The link works once.
    again = client.get(link)
    assert again.status_code == 410
    assert "already accepted" in again.text


def test_an_invited_person_with_an_account_signs_in_and_accepts(
    client, project, members, client_for, site_url
):
    person = UserFactory(email="known@example.com", full_name="Known Person")
    invite(
        client_for(members[Role.PROJECT_MANAGER]), project, "known@example.com", role=Role.VIEWER
    )
    client.logout()
    link = invitation_link(mail.outbox[0])
    assert "Sign in to accept" in client.get(link).text
    assert not Membership.objects.filter(project=project, user=person).exists()
    # Someone else signed in cannot take it.
    client.force_login(members[Role.CONTRIBUTOR])
    assert "you are signed in as" in client.post(link, follow=True).text
    assert not Membership.objects.filter(project=project, user=person).exists()
    client.force_login(person)
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert Membership.objects.get(project=project, user=person).role == Role.VIEWER


def test_resend_replaces_the_link_and_revoke_ends_it(
    client, project, members, client_for, site_url
):
    from django.utils import timezone

    from projects.models import Invitation

    manager = client_for(members[Role.PROJECT_MANAGER])
    invite(manager, project, "twice@example.com")
    first_link = invitation_link(mail.outbox[0])
    invitation = Invitation.objects.get(email="twice@example.com")
    too_soon = manager.post(members_url(project, "invitation_resend", invitation.pk), follow=True)
    assert "wait a few minutes" in too_soon.text
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    manager.post(members_url(project, "invitation_resend", invitation.pk))
    second_link = invitation_link(mail.outbox[1])
    assert second_link != first_link
    client.logout()
    assert "was replaced" in client.get(first_link).text
    assert client.get(second_link).status_code == 200
    manager = client_for(members[Role.PROJECT_MANAGER])
    page = manager.post(members_url(project, "invitation_revoke", invitation.pk), follow=True)
    assert "Invitation to twice@example.com revoked" in page.text
    client.logout()
    assert "was withdrawn" in client.get(second_link).text


def test_an_expired_or_forged_link_gives_a_clear_page(client, project, members, settings):
    from projects.services import invitation_token
    from projects.services.invitations import SIGNING_SALT
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(project=project, invited_by=members[Role.PROJECT_MANAGER])
    token = invitation_token(invitation)
    with freeze_signing(days=8):
        expired = client.get(reverse("projects:invitation", args=[token]))
    assert expired.status_code == 410
    assert "has expired" in expired.text
    forged = client.get(reverse("projects:invitation", args=[token[:-3] + "abc"]))
    assert forged.status_code == 410
    assert "is not valid" in forged.text
    assert SIGNING_SALT  # the token is signed under its own salt


def test_invitations_are_rate_limited_per_project(client_for, project, members, monkeypatch):
    from projects.services import invitations

    monkeypatch.setattr(invitations, "INVITATIONS_PER_HOUR", 2)
    manager = client_for(members[Role.PROJECT_MANAGER])
    invite(manager, project, "one@example.com")
    invite(manager, project, "two@example.com")
    third = invite(manager, project, "three@example.com")
    assert "sent 2 invitations in the last hour" in third.text
    assert len(mail.outbox) == 2


def test_invite_bad_email_shows_form_error(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        members_url(project, "member_invite"), {"email": "not-an-email", "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text


def test_inviting_a_member_or_a_pending_address_is_refused(client_for, project, members):
    manager = client_for(members[Role.PROJECT_MANAGER])
    response = invite(manager, project, members[Role.VIEWER].email)
    assert "already a member" in response.text
    invite(manager, project, "pending@example.com")
    again = invite(manager, project, "pending@example.com")
    assert "is pending; resend it from the list instead" in again.text
    assert len(mail.outbox) == 1


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
            members_url(project, "member_invite"), {"email": "x@example.com", "role": "viewer"}
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
