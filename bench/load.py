"""The load test: gunicorn (2 sync workers) on its own PostgreSQL database, locust headless.

Everything happens on 127.0.0.1 and stops by itself: the database is created for the run
and dropped at the end, gunicorn is stopped (its process group, by id), locust runs for a
fixed time under a timeout, and temporary files are removed.
"""

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
SEED_IDS = """
import json
from reviews.demo import CURRENT_REVIEW_TITLE
from reviews.models import Review
review = Review.objects.get(title=CURRENT_REVIEW_TITLE)
items = list(review.items.order_by("section__order", "order", "key").values_list("pk", flat=True))
print(json.dumps({"project": review.project_id, "review": review.pk, "item": items[len(items) // 2]}))
"""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin_connection():
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True,
        connect_timeout=3,
    )  # fmt: skip


def postgres_version():
    try:
        with _admin_connection() as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception:  # any failure means: not available here
        return None


def _env(database, static_root, media_root):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load_settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        SECRET_KEY="bench-load-only-not-a-secret",  # noqa: S106
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        BENCH_STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        EMAIL_URL="consolemail://",
        # Connections (and so PostgreSQL backends) live through the run: the CPU meter reads
        # each backend's time from /proc, which a recycled connection would take with it.
        CONN_MAX_AGE="3600",
    )
    return env


def _manage(env, *args, timeout=300):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_until_up(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


def _stop(process, seconds=15):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the group of the gunicorn we started
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _figures(stats_csv):
    with open(stats_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))

    def figures(row):
        return {
            "name": row["Name"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }

    total = next(row for row in rows if row["Name"] == "Aggregated")
    return figures(total), [figures(row) for row in rows if row["Name"] != "Aggregated"]


def _locust(env, host, work, name, *, users, spawn_rate, seconds):
    with open(work / f"{name}.log", "w") as locust_log:
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", host,
             "--csv", str(work / name), "--only-summary", "--stop-timeout", "5",
             "--exit-code-on-error", "0"],
            env=env, cwd=ROOT, stdout=locust_log, stderr=subprocess.STDOUT,
            timeout=seconds + 120, check=False,
        )  # fmt: skip
    return _figures(work / f"{name}_stats.csv")


# --- CPU time from /proc --------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
LOGIN_STEPS = {"log in", "log in (form)"}


def _cpu_seconds(pid):
    """User plus system CPU seconds of one process (and of its children it waited for);
    None when it is gone or unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def _children(parent):
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    return children


def _postgres_backends(admin, database):
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]
    ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """CPU seconds spent by gunicorn (master and workers) and by the PostgreSQL backends
    serving the run's database, between ``start()`` and ``stop()``, read from /proc.

    gunicorn's workers and the backends (Django keeps its connections, CONN_MAX_AGE) live
    through a step; a process seen only at the end counts from zero.
    """

    def __init__(self, admin, database, gunicorn_pid):
        self.admin, self.database, self.gunicorn_pid = admin, database, gunicorn_pid

    def _pids(self):
        return {
            "gunicorn": [self.gunicorn_pid, *_children(self.gunicorn_pid)],
            "postgres": _postgres_backends(self.admin, self.database),
        }

    def _read(self):
        return {
            kind: {pid: _cpu_seconds(pid) for pid in pids} for kind, pids in self._pids().items()
        }

    def start(self):
        self.before = self._read()

    def stop(self):
        after = self._read()
        spent = {}
        for kind, now in after.items():
            total = 0.0
            for pid, seconds in now.items():
                if seconds is not None:
                    total += seconds - (self.before[kind].get(pid) or 0.0)
            spent[kind] = total
        return spent


def _pages_p99(pages):
    """The slowest page's p99 (log-in steps left out: they hash a password on purpose)."""
    return max((page["p99"] for page in pages if page["name"] not in LOGIN_STEPS), default=0.0)


def _page_requests(pages):
    return sum(page["requests"] for page in pages if page["name"] not in LOGIN_STEPS)


def run_load_test(*, users=16, spawn_rate=4, seconds=60, floor_seconds=20, workers=2, log=print,
                  steps=(), step_seconds=20, p99_target=150):  # fmt: skip
    """Figures of one load test as a dict, or {"skipped": reason}.

    The persona journeys run for ``seconds``; then the same users fetch the bare-Django
    floor page for ``floor_seconds`` (0: not at all), so the machine's own ceiling is
    measured in the same run.
    """
    try:
        admin = _admin_connection()
    except Exception as error:  # no PostgreSQL here: say so, do not fail the whole bench
        return {"skipped": f"no PostgreSQL on {PG_HOST}:{PG_PORT} ({type(error).__name__})"}
    database = f"bench_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="readiness-bench-load-"))
    gunicorn = None
    admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        env = _env(database, work / "static", work / "media")
        log(f"load test: migrating and seeding the demo into PostgreSQL database {database}")
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        _manage(env, "seed_demo")
        ids = json.loads(_manage(env, "shell", "-c", SEED_IDS).strip().splitlines()[-1])
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        with open(work / "gunicorn.log", "w") as gunicorn_log:
            gunicorn = subprocess.Popen(
                [str(BIN / "gunicorn"), "readiness.wsgi:application", "--bind",
                 f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
                env=env, cwd=ROOT, stdout=gunicorn_log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_until_up(f"{host}/health/")
        log(f"load test: {users} users for {seconds} s against gunicorn ({workers} workers)")
        journeys = {
            **env,
            "BENCH_PROJECT": str(ids["project"]),
            "BENCH_REVIEW": str(ids["review"]),
            "BENCH_ITEM": str(ids["item"]),
        }
        load = {"users": users, "spawn_rate": spawn_rate}
        meter = CpuMeter(admin, database, gunicorn.pid)
        meter.start()
        total, pages = _locust(journeys, host, work, "journeys", seconds=seconds, **load)
        cpu = meter.stop()
        requests = max(total["requests"], 1)
        cpu_per_request = {kind: spent * 1000 / requests for kind, spent in cpu.items()}
        stepped = []
        for step_users in steps:
            log(f"load test: step of {step_users} users for {step_seconds} s")
            meter.start()
            step_total, step_pages = _locust(
                journeys, host, work, f"step{step_users}", users=step_users,
                spawn_rate=step_users, seconds=step_seconds,
            )  # fmt: skip
            spent = meter.stop()
            served = max(step_total["requests"], 1)
            stepped.append({
                "users": step_users,
                "rps": step_total["rps"],
                "requests": step_total["requests"],
                "failures": step_total["failures"],
                "p50": step_total["p50"],
                "p99_pages": _pages_p99(step_pages),
                "cpu_ms": {kind: value * 1000 / served for kind, value in spent.items()},
            })  # fmt: skip
        within = [step["users"] for step in stepped if step["p99_pages"] <= p99_target]
        floor = None
        if floor_seconds:
            log(f"load test: the floor page, {users} users for {floor_seconds} s")
            floor_env = {**env, "BENCH_FLOOR": "1", "BENCH_FLOOR_BYTES": "20000"}
            floor, _ = _locust(floor_env, host, work, "floor", seconds=floor_seconds, **load)
        tracebacks = (work / "gunicorn.log").read_text().count("Traceback")
        return {
            "users": users,
            "seconds": seconds,
            "workers": workers,
            "total": total,
            "pages": pages,
            "floor": floor,
            "server_tracebacks": tracebacks,
            "cpu_ms_per_request": cpu_per_request,
            "steps": stepped,
            "step_seconds": step_seconds,
            "p99_target": p99_target,
            "most_users_within_p99": max(within) if within else 0,
        }
    finally:
        _stop(gunicorn)
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(work, ignore_errors=True)
