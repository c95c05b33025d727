import os
import socket
import time
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


# --- Real Celery workers (tests/workers.py) ------------------------------------------


@pytest.fixture
def worker_queue(tmp_path):
    """A fresh queue this process publishes to; yields (queue, mail folder, log file)."""
    from tests.celery_broker import publishing_to

    redis_url = need_redis()
    need_postgres()
    queue = f"worker-test-{os.getpid()}-{time.time_ns()}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    try:
        with publishing_to(redis_url, queue=queue):
            yield queue, mail_dir, log_path
    finally:
        from django.db import connection

        connection.close()  # the worker's connections are gone; ours is reopened as needed
        if log_path.exists():
            print(log_path.read_text(errors="replace")[-3000:])


@pytest.fixture
def worker(worker_queue):
    """Start ``celery worker`` on a fresh queue; yield (queue, mail folder); stop it."""
    from tests.workers import start_worker, stop_worker

    queue, mail_dir, log_path = worker_queue
    process = start_worker(queue, mail_dir, log_path)
    try:
        yield queue, mail_dir
    finally:
        stop_worker(process)


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
