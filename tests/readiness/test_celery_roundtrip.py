"""A real Celery round trip through Redis (CI's service pass)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import need_redis

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.services
def test_celery_worker_round_trip_through_redis():
    redis_url = need_redis()
    from celery import Celery

    env = {**os.environ, "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false",
           "DJANGO_SETTINGS_MODULE": "tests.settings"}  # fmt: skip
    queue = f"roundtrip-{os.getpid()}-{time.time_ns()}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "readiness", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        client = Celery(broker=redis_url, backend=redis_url)
        result = client.send_task("readiness.ping", queue=queue)
        assert result.get(timeout=60) == "pong"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
