"""Every URL pattern, walked: anonymous users are sent to log in, non-members get 404."""

import pytest

from tests.urlwalk import (
    PUBLIC_URL_NAMES,
    PUBLIC_URL_NAMES_NOT_PAGES,
    fill,
    iter_patterns,
    kwarg_names,
)
from tests.worlds import foreign_world_ids

ALL_PATTERNS = sorted({(name, route) for name, route, _ in iter_patterns()})
# The API answers for itself who is calling (a token or the session); its docs page is a page.
API_URL_NAMES = {name for name, route in ALL_PATTERNS if route.startswith("api/")} - {"api:docs"}


def test_walk_covers_the_site():
    names = {name for name, _ in ALL_PATTERNS}
    assert {"home", "project_detail", "projects:members"} <= names


@pytest.mark.parametrize(("name", "route"), ALL_PATTERNS)
def test_anonymous_is_sent_to_login(client, db, name, route):
    if name in PUBLIC_URL_NAMES:
        return
    values = dict.fromkeys(kwarg_names(route), 1) | {"uidb64": "x", "token": "y"}
    path = fill(route, values)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if name in API_URL_NAMES:  # a client, not a person: the API's 401, not a log-in page
            assert response.status_code == 401, (
                f"{method.upper()} {path} gave {response.status_code}"
            )
            assert b"not_authenticated" in response.content  # the schema answers in YAML
            continue
        assert response.status_code == 302, f"{method.upper()} {path} gave {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), path


@pytest.mark.parametrize("name", sorted(PUBLIC_URL_NAMES - PUBLIC_URL_NAMES_NOT_PAGES))
def test_public_pages_open_without_login(client, db, name):
    from django.urls import reverse

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "route"), [p for p in ALL_PATTERNS if kwarg_names(p[1])])
def test_non_member_gets_404_on_project_scoped_urls(client, db, name, route):
    if name in PUBLIC_URL_NAMES:
        return
    ids, stranger = foreign_world_ids()
    client.force_login(stranger)
    path = fill(route, ids)
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    assert response.status_code == 404, f"{path} gave {response.status_code} to a non-member"
