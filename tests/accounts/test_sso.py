"""Single sign-on through the real OpenID Connect protocol, against a provider these tests
start (tests/oidc_provider.py): discovery, authorization, the code exchanged with the client
secret and PKCE verifier, an RS256 ID token with the nonce, userinfo. Nothing is mocked."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.sso_settings import oidc_settings
from projects.models import Membership, Role
from tests.accounts.sso_flow import callback, configure_sso, logged_in_as, sign_in, to_provider
from tests.factories import DEMO_PASSWORD, InvitationFactory, ProjectFactory, UserFactory
from tests.oidc_provider import oidc_provider

User = get_user_model()
BUTTON = "Sign in with"
LOCKED_OUT = "Too many failed log-ins"


@pytest.fixture
def provider():
    with oidc_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider, db):
    """The site with single sign-on to ``provider`` (unknown users refused, the default)."""
    configure_sso(settings, provider)
    return provider


def _login_page_message(client, response):
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    return client.get(response["Location"]).text


def as_person(provider, email, *, verified=True, name="Alice Example", sub=None):
    provider.user = {
        "sub": sub or f"sub-{email}",
        "email": email,
        "email_verified": verified,
        "name": name,
    }


# --- The button -----------------------------------------------------------------------


def test_no_button_and_no_sso_pages_when_not_configured(client, db):
    page = client.get(reverse("login"))
    assert BUTTON not in page.text
    assert 'name="password"' in page.text
    assert client.get(reverse("oidc_start")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_the_login_page_offers_the_button_beside_the_password_form(client, sso, settings):
    settings.OIDC_BUTTON_LABEL = "Contoso"
    page = client.get(reverse("login"), {"next": "/projects/"})
    assert "Sign in with Contoso" in page.text
    assert f'href="{reverse("oidc_start")}?next=%2Fprojects%2F"' in page.text
    assert 'name="password"' in page.text


# --- First and later sign-ins -------------------------------------------------------------


def test_an_existing_account_signs_in_whatever_the_case_of_the_address(client, sso):
    user = UserFactory(email="alice@example.com")
    as_person(sso, "Alice@EXAMPLE.com")
    response = sign_in(client, next_url="/projects/")
    assert response.status_code == 302
    assert response["Location"] == "/projects/"
    assert logged_in_as(client) == user
    assert User.objects.count() == 1


def test_an_unknown_person_is_refused_by_default(client, sso):
    as_person(sso, "stranger@example.com")
    text = _login_page_message(client, sign_in(client))
    assert "There is no account for stranger@example.com here" in text
    assert logged_in_as(client) is None
    assert not User.objects.filter(email="stranger@example.com").exists()


def test_an_unknown_person_gets_an_account_without_projects_when_set_to_create(
    client, sso, settings
):
    settings.OIDC_UNKNOWN_USERS = "create"
    as_person(sso, "New.Person@Example.com", name="New Person")
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = logged_in_as(client)
    assert user.email == "new.person@example.com"
    assert user.full_name == "New Person"
    assert not user.has_usable_password()
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "New Person" in home.text
    assert "You are not a member of any project yet." in home.text
    assert "ask a project manager to add you" in home.text


def test_a_pending_invitation_makes_the_account_and_joins_the_project(client, sso):
    project = ProjectFactory(name="Payroll go-live")
    manager = UserFactory()
    Membership.objects.create(project=project, user=manager, role=Role.PROJECT_MANAGER)
    InvitationFactory(
        project=project, invited_by=manager, email="invited@example.com", role=Role.APPROVER
    )
    as_person(sso, "Invited@example.com", name="Ivy Invited")
    response = sign_in(client)
    assert response.status_code == 302
    user = logged_in_as(client)
    assert user.email == "invited@example.com"
    membership = Membership.objects.get(project=project, user=user)
    assert membership.role == Role.APPROVER
    page = client.get(reverse("project_detail", args=[project.pk]))
    assert page.status_code == 200
    assert "Payroll go-live" in page.text
    assert "Welcome, Ivy: you joined “Payroll go-live”." in page.text


@pytest.mark.parametrize("state", ["revoked", "expired", "accepted"])
def test_an_invitation_that_no_longer_works_does_not_count(client, sso, state):
    import datetime

    from django.utils import timezone

    fields = {
        "revoked": {"revoked_at": timezone.now()},
        "expired": {"sent_at": timezone.now() - datetime.timedelta(days=8)},
        "accepted": {"accepted_at": timezone.now()},
    }[state]
    InvitationFactory(email="late@example.com", **fields)
    as_person(sso, "late@example.com")
    text = _login_page_message(client, sign_in(client))
    assert "There is no account for late@example.com here" in text
    assert not User.objects.filter(email="late@example.com").exists()


def test_an_address_outside_the_allowed_domains_is_refused(client, sso, settings):
    settings.OIDC_ALLOWED_DOMAINS = ["contoso.com"]
    settings.OIDC_UNKNOWN_USERS = "create"
    UserFactory(email="mallory@example.com")
    as_person(sso, "mallory@example.com")
    text = _login_page_message(client, sign_in(client))
    assert "mallory@example.com cannot sign in here: only addresses at contoso.com can." in text
    assert logged_in_as(client) is None


def test_an_address_the_provider_did_not_verify_is_refused(client, sso):
    UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com", verified=False)
    text = _login_page_message(client, sign_in(client))
    assert "did not confirm an e-mail address" in text
    assert logged_in_as(client) is None


def test_an_inactive_account_is_refused(client, sso):
    UserFactory(email="gone@example.com", is_active=False)
    as_person(sso, "gone@example.com")
    text = _login_page_message(client, sign_in(client))
    assert "The account gone@example.com is switched off" in text
    assert logged_in_as(client) is None


# --- The protocol holds ----------------------------------------------------------------------


def test_a_tampered_state_is_refused(client, sso):
    UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com")
    text = _login_page_message(client, sign_in(client, state="forged-state"))
    assert "could not be checked" in text
    assert logged_in_as(client) is None
    assert sso.token_requests == 0  # the code was never exchanged


def test_a_callback_in_another_browser_is_refused(client, sso):
    """The provider's answer to one browser, replayed in another: no state in its session."""
    UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com")
    location = to_provider(client).headers["Location"]
    other = Client()
    text = _login_page_message(other, callback(other, location))
    assert "could not be checked" in text
    assert logged_in_as(other) is None


def test_a_code_works_once(client, sso):
    UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com")
    first = to_provider(client).headers["Location"]
    assert callback(client, first).status_code == 302
    assert logged_in_as(client) is not None
    # Another browser starts its own sign-in, and sends the used code with its own state.
    other = Client()
    second = to_provider(other).headers["Location"]
    used_code = dict(parse_qsl(urlsplit(first).query))["code"]
    text = _login_page_message(other, callback(other, second, code=used_code))
    assert "did not work" in text
    assert sso.token_requests == 2  # the provider was asked, and said no
    assert logged_in_as(other) is None


def test_the_provider_refusing_shows_a_message(client, sso):
    to_provider(client)
    response = client.get(reverse("oidc_callback"), {"error": "access_denied"})
    text = _login_page_message(client, response)
    assert "did not sign you in (it answered “access_denied”)" in text


def test_a_wrong_client_secret_is_refused_by_the_provider(client, sso, settings):
    UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com")
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    text = _login_page_message(client, sign_in(client))
    assert "did not work" in text
    assert logged_in_as(client) is None


def test_a_provider_that_cannot_be_reached_is_a_message(client, settings, db):
    configure_sso(settings, type("Gone", (), {"issuer": "http://127.0.0.1:9"})())
    text = _login_page_message(client, client.get(reverse("oidc_start")))
    assert "cannot be reached just now" in text


# --- Throttling ------------------------------------------------------------------------------


def test_failed_callbacks_lock_the_address_out_of_every_sign_in(settings, sso):
    settings.AXES_IP_FAILURE_LIMIT = 3
    UserFactory(email="alice@example.com")
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(2):
        as_person(sso, "nobody@example.com")  # unknown: refused
        assert sign_in(guesser).status_code == 302
    locked = sign_in(guesser, state="forged")  # the third failure
    assert LOCKED_OUT in locked.text
    # Locked: the start, the callback and the password form all show the locked-out page.
    assert LOCKED_OUT in guesser.get(reverse("oidc_start")).text
    assert LOCKED_OUT in guesser.get(reverse("oidc_callback"), {"code": "c", "state": "s"}).text
    form = guesser.post(reverse("login"), {"username": "alice@example.com", "password": "x"})
    assert LOCKED_OUT in form.text
    # Even a sign-in that would succeed.
    as_person(sso, "alice@example.com")
    assert LOCKED_OUT in guesser.get(reverse("oidc_start")).text
    assert logged_in_as(guesser) is None
    # Another address is not locked.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.10")).status_code == 302


# --- SSO only --------------------------------------------------------------------------------


@pytest.fixture
def sso_only(settings, provider, db):
    configure_sso(settings, provider, sso_only=True)
    return provider


def test_sso_only_hides_and_refuses_the_password_form(client, sso_only):
    user = UserFactory(email="alice@example.com")
    page = client.get(reverse("login"))
    assert BUTTON in page.text
    assert 'name="password"' not in page.text
    assert "Forgotten your password" not in page.text
    refused = client.post(reverse("login"), {"username": user.email, "password": DEMO_PASSWORD})
    assert refused.status_code == 403
    assert "signs in with single sign-on only" in refused.text
    assert logged_in_as(client) is None
    as_person(sso_only, "alice@example.com")
    assert sign_in(client).status_code == 302
    assert logged_in_as(client) == user


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("password_reset", []),
        ("password_reset_done", []),
        ("password_reset_confirm", ["MQ", "set-password"]),
        ("password_reset_complete", []),
        ("password_change", []),
        ("password_change_done", []),
    ],
)
def test_sso_only_turns_password_pages_off(client, sso_only, name, args):
    client.force_login(UserFactory())
    response = client.get(reverse(name, args=args))
    assert response.status_code == 404
    assert "there is no password to reset or change here" in response.text


def test_sso_only_password_reset_post_sends_nothing(client, sso_only, mailoutbox):
    UserFactory(email="alice@example.com")
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 404
    assert mailoutbox == []


def test_sso_only_invitation_sends_to_single_sign_on(client, sso_only):
    from projects.services.invitations import invitation_token

    invitation = InvitationFactory(email="ivy@example.com")
    url = reverse("projects:invitation", args=[invitation_token(invitation)])
    page = client.get(url)
    assert 'name="password1"' not in page.text
    assert "Sign in with single sign-on to join" in page.text
    posted = client.post(url, {"full_name": "Ivy", "password1": "x" * 12, "password2": "x" * 12})
    assert posted.status_code == 403
    assert not User.objects.filter(email="ivy@example.com").exists()
    # Through the provider: the account is made and the invitation accepted; home lists it.
    as_person(sso_only, "ivy@example.com")
    response = sign_in(client)
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert f"you joined “{invitation.project.name}”" in home.text
    assert Membership.objects.filter(project=invitation.project, user__email="ivy@example.com")
    assert client.get(url).status_code == 410  # the link worked once


def test_sso_only_api_tokens_keep_working(client, sso_only):
    from accounts.services import access_token_create

    user = UserFactory()
    _, secret = access_token_create(acting_user=user, name="ci", scope="read", days=30)
    response = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_sso_only_admin_login_goes_through_the_login_page(client, sso_only):
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2F"


def test_staff_signed_in_with_sso_use_the_admin_when_codes_are_required(client, sso, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    as_person(sso, "admin@example.com")
    assert sign_in(client, next_url="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Configuration ------------------------------------------------------------------------


def test_entra_preset_fills_the_issuer_and_label():
    values = oidc_settings(
        provider="entra", entra_tenant="1234-abcd", client_id="c", client_secret="s"
    )
    assert values["OIDC_ISSUER"] == "https://login.microsoftonline.com/1234-abcd/v2.0"
    assert values["OIDC_BUTTON_LABEL"] == "Microsoft"
    assert values["OIDC_ENABLED"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sso_only": True}, "SSO_ONLY=true needs OpenID Connect"),
        ({"issuer": "https://idp.example.com", "client_id": "c"}, "OIDC_CLIENT_SECRET missing"),
        ({"provider": "entra", "client_id": "c", "client_secret": "s"}, "OIDC_ENTRA_TENANT"),
        ({"provider": "okta"}, "OIDC_PROVIDER is 'okta'"),
        ({"unknown_users": "maybe"}, "OIDC_UNKNOWN_USERS is 'maybe'"),
    ],
)
def test_bad_configuration_refuses_to_start(kwargs, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_settings(**kwargs)


def test_sso_only_leaves_no_password_backend():
    values = oidc_settings(
        issuer="https://idp.example.com",
        client_id="c",
        client_secret="s",
        sso_only=True,
        backends=[
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
    )
    assert values["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.sso.SsoBackend",
    ]


def test_entra_takes_preferred_username_not_email(settings):
    from accounts.sso import verified_email

    settings.OIDC_PROVIDER = "entra"
    claims = {"preferred_username": "Ann@Contoso.com", "email": "someone@else.com"}
    assert verified_email(claims) == "ann@contoso.com"
    assert verified_email({"email": "ann@contoso.com", "email_verified": True}) is None


def test_sso_only_profile_and_menu_offer_no_password_or_code(client, sso_only):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile"))
    assert "Change password" not in page.text
    assert "there is no password or code to set up here" in page.text
    assert "Set up two-step sign-in" not in page.text


def test_the_provider_leaves_no_thread_or_port_behind():
    import socket
    import threading

    with oidc_provider() as running:
        port = int(running.issuer.rsplit(":", 1)[1])
        assert any(t.name == "oidc-provider" for t in threading.enumerate())
    assert not any(t.name == "oidc-provider" for t in threading.enumerate())
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_switching_an_account_off_ends_its_single_sign_on_session(client, sso):
    user = UserFactory(email="alice@example.com")
    as_person(sso, "alice@example.com")
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
