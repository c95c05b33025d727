"""Callers of the API: a client that sends a personal access token, and the worlds."""

import pytest
from django.test import Client

from accounts.services import access_token_create
from tests.worlds import project_world


def bearer(user, *, scope="read_write", days=30):
    """A real token of ``user`` (made by the service) and its secret."""
    return access_token_create(acting_user=user, name="tests", scope=scope, days=days)


class ApiClient:
    """Django's test client with ``Authorization: Bearer`` and JSON bodies."""

    def __init__(self, secret=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method, path, data=None, **params):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, data=None):
        return self._call("post", path, data if data is not None else {})

    def patch(self, path, data):
        return self._call("patch", path, data)


@pytest.fixture
def api_as():
    """``api_as(user, scope="read_write")`` -> an ApiClient with a fresh token of the user."""

    def make(user, scope="read_write"):
        _, secret = bearer(user, scope=scope)
        return ApiClient(secret)

    return make


@pytest.fixture
def world(db):
    """One project with an object of every kind (tests/worlds.py): (ids, members by role)."""
    return project_world()


def error_of(response):
    """The one error body every refusal has (api/errors.py)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"status", "code", "message", "fields", "changes"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]
