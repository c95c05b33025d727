"""A person signs in through the company's OpenID Connect provider: the button on the log-in
page, the provider (a real one, tests/oidc_provider.py), and back home, signed in."""

import pytest
from playwright.sync_api import expect

from tests.accounts.sso_flow import configure_sso
from tests.oidc_provider import oidc_provider

pytestmark = pytest.mark.e2e


@pytest.fixture
def provider(live_server, settings):
    with oidc_provider(redirect_uri=f"{live_server.url}/oidc/callback/") as running:
        configure_sso(settings, running, button_label="Contoso")
        yield running


def test_the_button_signs_in_through_the_provider_and_lands_home(
    page_for, demo, provider, live_server
):
    provider.user = {
        "sub": "pm-1",
        "email": "PM@demo.example.com",
        "email_verified": True,
        "name": "Paul Manager",
    }
    page = page_for(None)
    page.goto("/projects/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()  # beside the password form
    page.get_by_role("link", name="Sign in with Contoso").click()
    # Through the provider and back to where the person was going, signed in.
    expect(page).to_have_url(f"{live_server.url}/projects/")
    expect(page.get_by_role("link", name=demo["project"].name, exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Paul Manager")).to_be_visible()


def test_a_refused_domain_is_told_on_the_log_in_page(page_for, demo, provider, settings):
    settings.OIDC_ALLOWED_DOMAINS = ["contoso.com"]
    provider.user = {"sub": "x-1", "email": "pm@demo.example.com", "email_verified": True}
    page = page_for(None)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Contoso").click()
    expect(page.get_by_text("only addresses at contoso.com can")).to_be_visible()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
