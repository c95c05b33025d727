import os
import socket
from urllib.parse import urlparse

import pytest

from projects.models import Role
from tests.factories import (
    MembershipFactory,
    MitigationActionFactory,
    ProjectFactory,
    RiskFactory,
    UserFactory,
    make_review,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _answers(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def need_redis():
    """The Redis URL for a service test; skip (or fail in CI's service pass) without one."""
    url = os.environ.get("REDIS_URL", "")
    if url and _answers(url, 6379):
        return url
    reason = "needs Redis: set REDIS_URL to a running server (CI's second pass does)"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but Redis is not reachable ({url or 'REDIS_URL unset'})")
    pytest.skip(reason)


def need_postgres():
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if REQUIRE_SERVICES:
        pytest.fail("REQUIRE_SERVICES=1 but the tests are not running on PostgreSQL (DATABASE_URL)")
    pytest.skip("needs PostgreSQL: set DATABASE_URL (CI's second pass does)")


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def members(project):
    """One member per role in ``project``, as a dict role -> user. The approver holds the
    business owner's stakeholder role, which the test checklist's items name."""
    people = {}
    for role in Role.values:
        user = UserFactory(full_name=f"{role.replace('_', ' ').title()} Person")
        stakeholder_roles = ["business_owner"] if role == Role.APPROVER else []
        MembershipFactory(project=project, user=user, role=role, signoff_roles=stakeholder_roles)
        people[role] = user
    return people


@pytest.fixture
def outsider(db):
    """A user who is a member of another project only."""
    user = UserFactory(full_name="Outside Person")
    MembershipFactory(user=user, role=Role.PROJECT_MANAGER)
    return user


@pytest.fixture
def review_item(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    return review.items.select_related("review", "section").first()


@pytest.fixture
def risk(project, members):
    """An open risk raised by the facilitator, with one planned action owned by the contributor."""
    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR], likelihood=4, impact=3)
    MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR])
    return risk


@pytest.fixture
def action(risk):
    return risk.actions.get()


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (scores are cached under database ids)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
