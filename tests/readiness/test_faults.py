"""Faults, tried for real: what each one loses or duplicates (README, Quality: the fault table).

CI's service pass runs these against real services with a real Celery worker. The shared
PostgreSQL and Redis are never stopped: the "down" cases start their own redis-server or
PostgreSQL cluster on a spare port and stop that. Each test prints its row of figures
(run with -s). The worker killed mid-render is in test_worker.py.
"""

import asyncio
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from tests.celery_broker import closed_port, publishing_to
from tests.conftest import REQUIRE_SERVICES, need_postgres, need_redis
from tests.factories import make_digest_owners
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
    """A real SMTP server (aiosmtpd) on a port; keeps every message it accepts.

    ``answer(address)`` may return an SMTP reply ("550 ...") to refuse a recipient at RCPT;
    ``delay`` seconds are spent at each RCPT, so a test can act while a send is under way.
    """

    def __init__(self, port, *, answer=None, delay=0):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.recipients_tried = []
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                sink.recipients_tried.append(address)
                if delay:
                    await asyncio.sleep(delay)
                refusal = answer(address) if answer else None
                if refusal:
                    return refusal
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def count_by_recipient(self):
        counts = {}
        for envelope in self.messages:
            for address in envelope.rcpt_tos:
                counts[address] = counts.get(address, 0) + 1
        return counts


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


# --- Reminder digests: a refused recipient, a sweep killed mid-send ---------------------------


def _sweep_at(hour):
    from django.utils import timezone

    from reminders.services import reminders_sweep

    today = timezone.localdate()
    return reminders_sweep(
        now=timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour)))
    )


def _smtp_to(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def test_a_refused_recipient_fails_that_digest_alone_and_for_good(settings):
    """The relay answers 550 for one address: the three others get their digest at once,
    the refused one is marked failed with the relay's answer and never tried again."""
    from reminders.models import ReminderDigest

    owners = make_digest_owners(4)
    refused = owners[0].email  # the first in the sweep's order
    port = closed_port()
    _smtp_to(settings, port)
    answer = {refused: f"550 5.1.1 <{refused}>: Recipient address rejected: User unknown"}
    with SmtpSink(port, answer=answer.get) as sink:
        results = [_sweep_at(hour) for hour in (9, 10, 11)]
    assert [r.digests_sent for r in results] == [3, 0, 0]
    assert results[0].refused == [refused]
    assert sink.count_by_recipient() == {owner.email: 1 for owner in owners[1:]}
    assert sink.recipients_tried.count(refused) == 1  # final: not retried by later sweeps
    digest = ReminderDigest.objects.get(recipient=owners[0])
    assert digest.status == ReminderDigest.Status.FAILED
    assert digest.sent_at is None
    assert digest.attempts == 1
    assert "550 5.1.1" in digest.last_error
    assert "User unknown" in digest.last_error
    print(
        f"One recipient refused (550): {sum(r.digests_sent for r in results)} of 4 digests "
        f"delivered over three sweeps, the refused one tried once and marked failed; "
        f"0 lost, 0 duplicated"
    )


def test_a_passing_refusal_stops_the_sweep_and_the_next_sweep_sends_everyone_once(settings):
    """A 4xx for one recipient is a passing fault: the sweep stops there and releases the
    rest; the next sweep sends each digest once."""
    from reminders.digests import DigestSendError
    from reminders.models import ReminderDigest

    owners = make_digest_owners(3)
    busy = owners[1].email
    answers = {busy: ["451 4.3.0 Mailbox busy, try again later"]}
    port = closed_port()
    _smtp_to(settings, port)
    with SmtpSink(port, answer=lambda address: (answers.get(address) or [None]).pop()) as sink:
        with pytest.raises(DigestSendError):
            _sweep_at(9)
        waiting = ReminderDigest.objects.filter(sent_at__isnull=True, claim_token="")
        assert set(waiting.values_list("recipient__email", flat=True)) == {
            owners[1].email, owners[2].email,
        }  # fmt: skip
        assert "451 4.3.0" in waiting.get(recipient=owners[1]).last_error
        assert _sweep_at(10).digests_sent == 2
    assert sink.count_by_recipient() == {owner.email: 1 for owner in owners}
    assert not ReminderDigest.objects.filter(failed_at__isnull=False).exists()


KILL_SEED = """
import django, json
django.setup()
from tests.factories import make_digest_owners
print(json.dumps([owner.email for owner in make_digest_owners(%d)]))
"""


def test_a_sweep_killed_mid_send_sends_nobody_a_digest_twice(tmp_path):
    """A real ``send_reminders`` process on a file SQLite database, sending to a slow real
    SMTP server, is killed with SIGKILL while its fourth digest is under way; the next
    sweep sends the rest, and nobody gets two."""
    database = f"sqlite:///{tmp_path / 'sweep.sqlite3'}"
    port = closed_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "readiness.settings",
        "SECRET_KEY": "faults-tests-only-secret-key",
        "DATABASE_URL": database,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = subprocess.run([sys.executable, "-c", KILL_SEED.replace("%d", "6")], **run)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    owners = json.loads(seeded.stdout.strip().splitlines()[-1])
    today = timezone.localdate().isoformat()  # the sweep runs "as at" the site's day
    sweep = [sys.executable, "manage.py", "send_reminders", "--today", today, "--hour"]

    with SmtpSink(port, delay=1.0) as sink:
        process = subprocess.Popen(
            [*sweep, "9"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            # Three digests accepted and the fourth at RCPT: the sweep is mid-send.
            wait_for(
                lambda: len(sink.messages) == 3 and len(sink.recipients_tried) == 4,
                timeout=120, message="the sweep did not reach its fourth digest",
            )  # fmt: skip
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        delivered_before_kill = len(sink.messages)
    with SmtpSink(port) as sink_after:
        # An hour later the killed sweep's claims are past their lease: they are taken over.
        again = subprocess.run([*sweep, "10"], **run)
        assert again.returncode == 0, again.stderr[-2000:]
    counts = {}
    for envelope in [*sink.messages, *sink_after.messages]:
        for address in envelope.rcpt_tos:
            counts[address] = counts.get(address, 0) + 1
    assert process.returncode == -signal.SIGKILL
    assert delivered_before_kill == 3
    assert counts == dict.fromkeys(owners, 1)  # nobody lost, nobody twice
    print(
        f"Sweep killed mid-send (SIGKILL while the 4th of 6 digests was at the relay): "
        f"{delivered_before_kill} delivered and marked before the kill, "
        f"{len(sink_after.messages)} by the next sweep; 0 lost, 0 duplicated"
    )
