"""Faults, tried for real: what each one loses or duplicates (README, Quality: the fault table).

CI's service pass runs these against real services with a real Celery worker. The shared
PostgreSQL and Redis are never stopped: the "down" cases start their own redis-server or
PostgreSQL cluster on a spare port and stop that. Each test prints its row of figures
(run with -s). The worker killed mid-render is in test_worker.py.
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from projects.models import Role
from tests.celery_broker import closed_port, publishing_to
from tests.conftest import REQUIRE_SERVICES, need_postgres, need_redis
from tests.workers import mails_in, start_worker, stop_worker, wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _people_and_review():
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review

    project = ProjectFactory()
    people = {}
    for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER):
        people[role] = UserFactory()
        MembershipFactory(project=project, user=people[role], role=role)
    return people, make_review(project, acting_user=people[Role.FACILITATOR])


# --- SMTP relay down ------------------------------------------------------------------------


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a port; keeps every message it accepts."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        self.messages = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def test_summary_mail_while_the_relay_is_down_is_sent_once_when_it_is_back(worker_queue):
    from summaries.models import SummaryReport
    from summaries.services import summary_request

    queue, mail_dir, log_path = worker_queue
    port = closed_port()
    worker = start_worker(queue, mail_dir, log_path, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    try:
        people, review = _people_and_review()
        report = summary_request(review=review, acting_user=people[Role.PROJECT_MANAGER], send=True)
        report_qs = SummaryReport.objects.filter(pk=report.pk)
        wait_for(lambda: report_qs.filter(status="ready").exists(), timeout=90)
        time.sleep(3)  # the first send runs at once and meets the closed port
        assert report_qs.get().sent_at is None
        down_since = time.monotonic()
        with SmtpSink(port) as sink:
            wait_for(
                lambda: report_qs.filter(sent_at__isnull=False).exists(),
                timeout=120,
                message="the summary was not sent once the relay was back",
            )
            time.sleep(2)
            messages = list(sink.messages)
    finally:
        stop_worker(worker)
    report = report_qs.get()
    assert report.send_error == ""
    assert len(messages) == 1
    assert sorted(messages[0].rcpt_tos) == sorted(
        [people[Role.APPROVER].email, people[Role.PROJECT_MANAGER].email]
    )
    print(
        f"SMTP relay down: sent {time.monotonic() - down_since:.0f} s after the relay came "
        f"back; {len(messages)} mail, 0 lost, 0 duplicated"
    )


# --- Redis down ---------------------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test on a spare port, started and killed at will."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        import redis

        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        pytest.fail("the test's own redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    need_redis()  # the service pass: redis-server is installed there
    redis = OwnRedis()
    if redis.binary is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("needs redis-server to start a Redis of its own")
    redis.start()
    yield redis
    redis.kill()


def test_redis_down_pages_answer_and_a_summary_requested_meanwhile_is_made_once(
    own_redis, tmp_path, settings
):
    from summaries.models import SummaryReport
    from summaries.services import STUCK_AFTER, summaries_requeue_stuck, summary_request

    need_postgres()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    queue = f"faults-redis-{os.getpid()}-{time.time_ns()}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url}
    worker = start_worker(queue, mail_dir, tmp_path / "worker.log", **env)
    try:
        with publishing_to(own_redis.url, queue=queue):
            people, review = _people_and_review()
            pm = people[Role.PROJECT_MANAGER]
            first = summary_request(review=review, acting_user=pm, send=True)
            wait_for(
                lambda: SummaryReport.objects.filter(pk=first.pk, sent_at__isnull=False).exists()
            )

            own_redis.kill()
            client = Client()
            client.force_login(pm)
            pages = [
                reverse("home"),
                reverse("project_list"),
                review.project.get_absolute_url(),
                review.get_absolute_url(),
                reverse("risks:register", args=[review.project_id]),
                reverse("summaries:summary_list", args=[review.project_id, review.pk]),
            ]
            answers = {page: client.get(page).status_code for page in pages}
            health = client.get(reverse("health"))
            second = summary_request(review=review, acting_user=pm, send=True)
            assert SummaryReport.objects.get(pk=second.pk).status == "queued"

            own_redis.start()  # back, empty: whatever the broker held is gone
            later = second.created_at + STUCK_AFTER + datetime.timedelta(minutes=1)
            assert summaries_requeue_stuck(now=later) == [second.pk]  # what beat runs
            wait_for(
                lambda: SummaryReport.objects.filter(pk=second.pk, sent_at__isnull=False).exists(),
                timeout=120,
                message="the summary requested while Redis was down was not made",
            )
            time.sleep(2)
    finally:
        stop_worker(worker)
    assert set(answers.values()) == {200}, answers
    assert health.status_code == 200
    assert health.json()["cache"].startswith("down")
    mails = mails_in(mail_dir)
    assert len(mails) == 2  # one per request: none lost, none twice
    assert SummaryReport.objects.filter(review=review).count() == 2
    print(
        f"Redis down: {len(answers)} pages all 200, /health/ 200 with the cache down; the "
        "summary requested meanwhile was made once after Redis came back (0 lost, 0 duplicated)"
    )


# --- PostgreSQL down ----------------------------------------------------------------------


class OwnPostgres:
    """A PostgreSQL cluster of this test on a spare port (initdb, pg_ctl), stopped at will."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        self.bin = found[-1].parent if found else None
        self.port = closed_port()
        self.dir = Path(tempfile.mkdtemp(prefix="readiness-faults-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, *args, check=True):
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.dir / "log"), "start")  # fmt: skip

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_postgres():
    need_postgres()
    need_redis()
    postgres = OwnPostgres()
    if postgres.bin is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but the PostgreSQL server binaries are not installed")
        pytest.skip("needs the PostgreSQL server binaries to start a cluster of its own")
    postgres.init()
    yield postgres
    postgres.remove()


SEED = """
import django
django.setup()
from projects.models import Role
from summaries.services import summary_request
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review

project = ProjectFactory()
people = {}
for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER):
    people[role] = UserFactory()
    MembershipFactory(project=project, user=people[role], role=role)
review = make_review(project, acting_user=people[Role.FACILITATOR])
report = summary_request(review=review, acting_user=people[Role.PROJECT_MANAGER], send=True)
print(report.pk)
"""


def test_postgres_down_a_render_picked_up_meanwhile_finishes_once_it_is_back(
    own_postgres, tmp_path
):
    """The request is recorded and enqueued; the database goes down before a worker takes
    it; the worker's render meets the outage, retries, and finishes once it is back."""
    import psycopg

    queue = f"faults-pg-{os.getpid()}-{time.time_ns()}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "TEST_CELERY_QUEUE": queue,
        "DATABASE_URL": own_postgres.url,
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = subprocess.run([sys.executable, "-c", SEED], **run)  # enqueues the render
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    report_id = int(seeded.stdout.strip().splitlines()[-1])

    def report():
        with psycopg.connect(
            f"host=127.0.0.1 port={own_postgres.port} user=postgres dbname=faults"
        ) as db:
            return db.execute(
                "SELECT status, sent_at, attempts FROM summaries_summaryreport WHERE id = %s",
                [report_id],
            ).fetchone()

    own_postgres.stop()
    worker = start_worker(queue, mail_dir, tmp_path / "worker.log", DATABASE_URL=own_postgres.url)
    try:
        time.sleep(8)  # the worker takes the render and meets the outage
        down_for = 8
        own_postgres.start()
        back = time.monotonic()
        wait_for(
            lambda: report()[1] is not None,
            timeout=150,
            message="the render picked up while PostgreSQL was down did not finish",
        )
        recovered = time.monotonic() - back
        time.sleep(2)
    finally:
        stop_worker(worker)
    status, _, attempts = report()
    assert status == "ready"
    assert len(mails_in(mail_dir)) == 1
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "database unavailable" in log
    print(
        f"PostgreSQL down {down_for} s: the render retried and was ready and sent "
        f"{recovered:.0f} s after PostgreSQL came back; 1 mail, 0 lost, 0 duplicated "
        f"(render attempts {attempts})"
    )
