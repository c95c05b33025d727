"""Schemathesis against /api/schema/: every operation, with a real read-write token on a
world with one object of every kind. No 5xx, and every response matches the schema.

Path ids are set to the world's own (random ids would only ever meet the 404, which the
authorization crawl covers); query strings and bodies are Schemathesis's."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from projects.models import Membership, Role
from readiness.wsgi import application
from tests.api.conftest import bearer
from tests.worlds import project_world


@pytest.fixture
def api_schema(db, request, settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    settings.ALLOWED_HOSTS = ["localhost"]  # the host Schemathesis's WSGI client sends
    ids, members = project_world()
    pm = members[Role.PROJECT_MANAGER]
    # The project manager holds the items' sign-off role too, so sign-offs can succeed.
    Membership.objects.filter(project_id=ids["project_pk"], user=pm).update(
        signoff_roles=["business_owner"]
    )
    _, secret = bearer(pm)
    request.node.world_ids = ids
    request.node.auth = {"Authorization": f"Bearer {secret}"}
    # Requests go to the WSGI application itself, not through Django's test client, so its
    # end-of-request signal would close the test's database connection (mid-transaction on
    # PostgreSQL); the test client leaves the connection open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application, headers=request.node.auth)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_matches_its_schema(case, request):
    ids = request.node.world_ids
    for name in case.path_parameters or {}:
        case.path_parameters[name] = ids[name]
    # Every check (no 5xx, status codes, content types, bodies and headers as documented)
    # but two that judge the data rather than the responses: "a valid request is
    # accepted" (the schema cannot say that a step already running cannot start again, or
    # that an owner must be a member: 400s with a message, covered by the other tests),
    # and "an invalid request is refused", which counts the token this test puts over a
    # generated one, extra headers and unknown query parameters as invalid requests. The
    # invalid types, enums and ranges it found are refused now (api/fields.py, the filters).
    case.call_and_validate(
        headers=request.node.auth,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
