"""Single sign-on for the tests: the site configured for the local provider, and the round
trip through it (the Django test client on our side, plain HTTP on the provider's)."""

from urllib.parse import parse_qsl, urlsplit

import requests
from django.urls import reverse

from accounts.sso import discovery_forget
from accounts.sso_settings import oidc_settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET


def configure_sso(settings, provider, **choices):
    """Set the site up as the environment would (accounts.sso_settings), for ``provider``."""
    values = oidc_settings(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        backends=[b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("accounts.sso")],
        **choices,
    )
    for name, value in values.items():
        setattr(settings, name, value)
    discovery_forget()  # each test's provider listens on a port of its own


def to_provider(client, next_url=None):
    """GET the start view, follow it to the provider; return the provider's answer (a
    redirect back to our callback, with code and state)."""
    query = {"next": next_url} if next_url else {}
    start = client.get(reverse("oidc_start"), query)
    assert start.status_code == 302, start
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer


def callback(client, location, **tamper):
    """GET our callback at the provider's ``location`` (its query, optionally altered)."""
    parts = urlsplit(location)
    assert parts.path == reverse("oidc_callback")
    query = dict(parse_qsl(parts.query))
    query.update(tamper)
    return client.get(parts.path, query)


def sign_in(client, next_url=None, **tamper):
    """The whole round trip; the callback's response (not followed)."""
    return callback(client, to_provider(client, next_url).headers["Location"], **tamper)


def logged_in_as(client):
    from django.contrib.auth import get_user_model

    pk = client.session.get("_auth_user_id")
    return get_user_model().objects.filter(pk=pk).first() if pk else None
