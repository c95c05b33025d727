"""Personal access tokens: made on the profile page, shown once, hashed, scoped, revocable."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AccessToken
from accounts.services import access_token_create, access_token_revoke
from projects.models import Role
from tests.api.conftest import ApiClient, bearer, error_of

ME = "/api/v1/projects/"


def item_url(ids):
    return (
        f"/api/v1/projects/{ids['project_pk']}/reviews/{ids['review_pk']}/items/{ids['item_pk']}/"
    )


def test_token_create_stores_only_the_hash_and_a_short_prefix(members):
    token, secret = bearer(members[Role.CONTRIBUTOR])
    stored = AccessToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix)
    assert len(stored.prefix) < 12
    # The secret appears in no column of the row.
    assert all(secret not in str(value) for value in stored.__dict__.values())


def test_profile_page_shows_a_new_token_once_then_only_its_prefix(client_for, members):
    user = members[Role.CONTRIBUTOR]
    client = client_for(user)
    response = client.post("/profile/tokens/", {"name": "Jira sync", "scope": "read", "days": "30"})
    assert response.status_code == 200
    token = AccessToken.objects.get(user=user)
    page = response.content.decode()
    secret = page.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith(token.prefix)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert response["Cache-Control"] == "no-store"
    again = client.get("/profile/").content.decode()
    assert secret not in again
    assert token.prefix in again
    assert "Jira sync" in again
    assert "never" in again
    assert ApiClient(secret).get(ME).status_code == 200


def test_profile_token_form_needs_a_name_and_a_known_expiry(client_for, members):
    client = client_for(members[Role.CONTRIBUTOR])
    response = client.post("/profile/tokens/", {"name": "", "scope": "read", "days": "3"})
    assert response.status_code == 422
    assert not AccessToken.objects.exists()
    form = response.context["token_form"]
    assert set(form.errors) == {"name", "days"}


def test_profile_page_revokes_a_token_and_it_stops_working(client_for, members):
    user = members[Role.CONTRIBUTOR]
    token, secret = bearer(user)
    response = client_for(user).post(f"/profile/tokens/{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    refused = ApiClient(secret).get(ME)
    assert refused.status_code == 401
    assert "revoked" in error_of(refused)["message"]


def test_profile_page_cannot_revoke_someone_elses_token(client_for, members):
    token, secret = bearer(members[Role.APPROVER])
    response = client_for(members[Role.CONTRIBUTOR]).post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiClient(secret).get(ME).status_code == 200


def test_expired_token_is_refused_with_a_401(members):
    token, secret = bearer(members[Role.CONTRIBUTOR], days=7)
    AccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = ApiClient(secret).get(ME)
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer rdy_not-a-real-token", "Bearer", "Bearer two parts", "Bearer nope"]
)
def test_unknown_or_malformed_token_is_refused_with_a_401(db, header):
    response = Client().get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    error_of(response)


def test_no_credentials_is_a_401_not_a_login_page(db):
    response = Client().get(ME)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_token_of_a_deactivated_user_is_refused(members):
    user = members[Role.CONTRIBUTOR]
    _, secret = bearer(user)
    user.is_active = False
    user.save()
    assert ApiClient(secret).get(ME).status_code == 401


def test_read_token_reads_but_gets_a_403_on_writes(world):
    ids, members = world
    pm = members[Role.PROJECT_MANAGER]
    _, secret = bearer(pm, scope="read")
    client = ApiClient(secret)
    item = client.get(item_url(ids)).json()
    response = client.patch(item_url(ids), {"version": item["version"], "response": "Done."})
    assert response.status_code == 403
    assert "only read" in error_of(response)["message"]
    assert client.get(item_url(ids)).json()["response"] == item["response"]


def test_last_used_is_written_at_most_once_a_minute(members):
    token, secret = bearer(members[Role.CONTRIBUTOR])
    client = ApiClient(secret)
    assert AccessToken.objects.get(pk=token.pk).last_used_at is None
    client.get(ME)
    first = AccessToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(ME)
    assert AccessToken.objects.get(pk=token.pk).last_used_at == first
    AccessToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    client.get(ME)
    assert AccessToken.objects.get(pk=token.pk).last_used_at > first


def test_token_revoke_service_refuses_another_persons_token(members):
    from django.core.exceptions import PermissionDenied

    token, _ = access_token_create(
        acting_user=members[Role.APPROVER], name="x", scope="read", days=7
    )
    with pytest.raises(PermissionDenied):
        access_token_revoke(token=token, acting_user=members[Role.CONTRIBUTOR])


def test_session_works_for_the_browser_with_csrf_enforced(world):
    ids, members = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(members[Role.PROJECT_MANAGER])
    assert client.get(item_url(ids)).status_code == 200
    version = client.get(item_url(ids)).json()["version"]
    body = {"version": version, "response": "From the browser"}
    refused = client.patch(item_url(ids), body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in error_of(refused)["message"]
    client.get("/profile/")  # sets the CSRF cookie, as any page does
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        item_url(ids), body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert accepted.json()["response"] == "From the browser"


def test_throttle_counts_per_token(members, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    _, first = bearer(members[Role.CONTRIBUTOR])
    _, second = bearer(members[Role.CONTRIBUTOR])
    client = ApiClient(first)
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.get(ME)
    assert throttled.status_code == 429
    assert error_of(throttled)["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert ApiClient(second).get(ME).status_code == 200


def test_a_fault_of_ours_is_a_500_in_the_one_error_format(members, monkeypatch):
    """The API never answers with Django's HTML error page; the fault is logged."""
    from api.views import projects

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(projects.ProjectListView, "get_queryset", broken)
    _, secret = bearer(members[Role.CONTRIBUTOR])
    response = ApiClient(secret).get(ME)
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v2/projects/", "No API resource at /api/v2/projects/: the resources are listed"),
        (
            "/api/v1/projects",
            "No API resource at /api/v1/projects: did you mean /api/v1/projects/ ?",
        ),
    ],
)
def test_an_unknown_address_under_api_is_a_404_in_the_api_format(db, client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert error["message"].startswith(message)
