"""What the site does when a service it uses is down (issue 12, "Redis down").

The cache and the broker are pointed at a local port nothing listens on (never at the
shared Redis, which other test runs use): pages still answer, computing without the cache
and logging that it is down; ``/health/`` says which service is down, and answers 200 as
long as the database answers.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from projects.models import Role
from tests.celery_broker import closed_port, publishing_to
from tests.urlwalk import fill, iter_patterns, kwarg_names
from tests.worlds import project_world

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_down(settings):
    """The cache (Redis) and the Celery broker at a closed port; yields that URL."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with publishing_to(url):
        yield url


def _pages(ids):
    for name, route, _ in iter_patterns():
        if name in {"logout", "health"} or not set(kwarg_names(route)) <= set(ids):
            continue
        yield name, fill(route, ids) if kwarg_names(route) else "/" + route


@pytest.mark.django_db
def test_every_page_answers_while_redis_is_down(client, redis_down, caplog):
    ids, members = project_world()
    client.force_login(members[Role.PROJECT_MANAGER])
    answers = {}
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for name, path in _pages(ids):
            answers[name] = client.get(path).status_code
    errors = {name: status for name, status in answers.items() if status >= 500}
    assert errors == {}
    for name in ("home", "project_list", "project_detail", "reviews:review_detail"):
        assert answers[name] == 200, name
    assert len(answers) > 30
    assert any("cache" in record.getMessage().lower() for record in caplog.records), (
        "a cache outage must be logged"
    )
    ok = sum(1 for status in answers.values() if status == 200)
    others = sorted({status for status in answers.values() if status != 200})
    print(f"Redis down: {len(answers)} URLs asked, {ok} pages answered 200, others {others}")


@pytest.mark.django_db
def test_home_and_project_show_the_scores_while_redis_is_down(client, redis_down):
    from reviews.models import Review
    from reviews.selectors.scores import review_score

    ids, members = project_world()
    score = review_score(Review.objects.get(pk=ids["review_pk"]))
    client.force_login(members[Role.PROJECT_MANAGER])
    home = client.get(reverse("home"))
    assert f"{score.state_label}</span> · {score.percent}%" in home.text
    project = client.get(reverse("project_detail", args=[ids["project_pk"]]))
    assert f"{score.percent}%" in project.text


@pytest.mark.django_db
def test_a_summary_request_while_redis_is_down_is_recorded(client, redis_down):
    from summaries.models import SummaryReport

    ids, members = project_world()
    client.force_login(members[Role.FACILITATOR])
    url = reverse("summaries:summary_request", args=[ids["project_pk"], ids["review_pk"]])
    response = client.post(url, {"send": ""})
    assert response.status_code == 302
    assert SummaryReport.objects.filter(review_id=ids["review_pk"], status="queued").exists()


# --- /health/ ------------------------------------------------------------------------------


def _health(client):
    response = client.get(reverse("health"))
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_health_reports_each_service(client):
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert set(body) >= {"database", "cache", "broker"}


@pytest.mark.django_db
def test_health_says_redis_is_down_but_answers_200(client, redis_down):
    status, body = _health(client)
    assert status == 200
    assert body["database"] == "ok"
    assert body["cache"].startswith("down")
    assert body["broker"].startswith("down")
    assert body["status"] == "degraded"


def test_health_and_pages_answer_503_when_the_database_does_not(tmp_path):
    """A site process whose PostgreSQL is down (a closed port) asks itself for /health/ and
    for a page that needs the database."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/health/')\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'x' * 32  # a session to look up: the database is asked\n"
        "page = client.get('/')\n"
        "print(json.dumps({'status': response.status_code, 'body': json.loads(response.content),\n"
        "                  'page': [page.status_code, page.content.decode(), page.get('Retry-After')]}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "readiness.settings",
        "SECRET_KEY": "health-test",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{closed_port()}/nothing",
        "CONN_MAX_AGE": "0",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["database"].startswith("down")
    assert answer["body"]["status"] == "down"
    status, html, retry_after = answer["page"]
    assert status == 503
    assert "cannot reach its database" in html
    assert retry_after == "30"
