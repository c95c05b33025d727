"""Real Celery workers for the service tests: start one on a fresh queue, stop it, count
the mails it wrote, and wait for what it does.

Each worker is a subprocess (solo pool, its own session, so a test can SIGKILL it whole)
with the site's settings read from the environment: the test database, REDIS_URL, the
test's own queue (tests/worker_settings.py) and the file e-mail backend in a folder.
"""

import os
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _database_url():
    """The URL of the test database this process uses (the worker must see the same data)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def start_worker(queue, mail_dir, log_path, *, name=None, loglevel="warning", **env_overrides):
    """A ``celery worker`` subprocess (solo pool, its own session) on ``queue``; ``name``
    is its node name (the default is celery@host), ``loglevel`` info logs each task it takes."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "TEST_CELERY_QUEUE": queue,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # django-environ drops one leading slash of the path: four slashes for an absolute one.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CONN_MAX_AGE": "0",
        **env_overrides,
    }
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "readiness", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", loglevel,
         *(["-n", name] if name else [])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    return process


def stop_worker(process):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for(check, timeout=90, message="the worker did not finish in time"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(message)


def mails_in(folder):
    messages = []
    for path in sorted(folder.glob("*.log")):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip()))
    return messages
