"""The reminders sweep over 20,000 and 100,000 open actions (2,000 and 10,000 owners, ten
actions each; an e-mail backend that builds each message and keeps only its recipient),
beside the previous, row-by-row implementation measured in the same run.

For each size and implementation, in a child process with a fresh database: the sweep's
time and queries split into "record" (revert, plan, claim and record: what issue 13's
<= 5 s and <= 30 queries are about) and "send" (render each digest, hand it to the
backend, mark it sent: one mark per digest, by design, see reminders/digests.py), the
peak memory the sweep added, that every owner got exactly one digest, and that a second
sweep sends nothing. The previous implementation is the ``reminders`` package of commit
PREVIOUS (git archive), loaded in the child in place of this one; without git, the figures
of issue 13 stand in for it.

Run on PostgreSQL (the target's database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_reminders.py
``bench.bench_reminders.run(**options)`` is the hook bench/run.py calls (one size, this
implementation).
"""

import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

OWNERS = 2_000
ACTIONS_PER_OWNER = 10
OWNERS_PER_PROJECT = 20
# Due dates relative to today: overdue, escalated (>= 5 days late), due soon and later.
DUE_OFFSETS = (-9, -6, -3, -1, 0, 1, 2, 3, 6, 12)
TARGET_SECONDS = 5.0
TARGET_QUERIES = 30
SIZES = (2_000, 10_000)  # owners: 20,000 and 100,000 actions
# The last commit with the row-by-row sweep (plan in Python, bulk_create of the reminders,
# marks written per 100 digests).
PREVIOUS = "14937ff90ada9fadb550301c7e151e554b2a238b"
# Issue 13's figures of the previous implementation, when git cannot give it back.
PREVIOUS_FROM_THE_ISSUE = {20_000: "3.2-3.7 s", 100_000: "18.7 s"}
MARKER = "BENCH-REMINDERS "


def seed(owners=OWNERS, actions_per_owner=ACTIONS_PER_OWNER, tag="a"):
    """Projects of OWNERS_PER_PROJECT contributors and one project manager; actions in bulk,
    a project at a time (so seeding does not leave a memory peak above the sweep's)."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from projects.models import Membership, Project, Role
    from risks.models import MitigationAction, Risk

    today = timezone.localdate()
    password = make_password(None)
    projects = owners // OWNERS_PER_PROJECT
    users = User.objects.bulk_create(
        User(email=f"owner{n}.{tag}@bench.example.com", full_name=f"Owner {n}", password=password,
             digest_hour=0)
        for n in range(owners)
    )  # fmt: skip
    managers = User.objects.bulk_create(
        User(email=f"pm{n}.{tag}@bench.example.com", full_name=f"Manager {n}", password=password,
             digest_hour=0)
        for n in range(projects)
    )  # fmt: skip
    created = Project.objects.bulk_create(
        Project(
            name=f"Bench project {n}{tag}", customer="Bench", created_by=managers[n],
            go_live_date=today + datetime.timedelta(days=30 + n % 60),
        )
        for n in range(projects)
    )  # fmt: skip
    Membership.objects.bulk_create(
        [Membership(project=p, user=managers[n], role=Role.PROJECT_MANAGER)
         for n, p in enumerate(created)]
        + [Membership(project=created[n // OWNERS_PER_PROJECT], user=user, role=Role.CONTRIBUTOR)
           for n, user in enumerate(users)]
    )  # fmt: skip
    risks = Risk.objects.bulk_create(
        Risk(
            project=p,
            number=1,
            title=f"Bench risk {n}",
            likelihood=3,
            impact=4,
            raised_by=managers[n],
        )
        for n, p in enumerate(created)
    )
    for start in range(0, owners, OWNERS_PER_PROJECT):
        MitigationAction.objects.bulk_create(
            MitigationAction(
                risk=risks[n // OWNERS_PER_PROJECT],
                project_id=risks[n // OWNERS_PER_PROJECT].project_id,
                owner=users[n],
                description=f"Bench action {k} of owner {n}: rehearse the cutover step",
                due_date=today + datetime.timedelta(days=DUE_OFFSETS[k % len(DUE_OFFSETS)]),
            )
            for n in range(start, min(owners, start + OWNERS_PER_PROJECT))
            for k in range(actions_per_owner)
        )
    return users, managers


class CountingBackend:
    """An e-mail backend that builds each message as an SMTP backend would (the MIME bytes)
    and keeps only who it was for: the locmem outbox would hold every digest and hide the
    sweep's own memory."""

    sent_to = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        for message in messages:
            message.message().as_bytes()
            CountingBackend.sent_to.extend(message.to)
        return len(messages)


class QueryCounter:
    """Counts statements by kind through an execute wrapper (no SQL kept: cheap); those
    run while ``sending`` is set are counted apart."""

    def __init__(self):
        self.counts = {}
        self.sending = {}
        self.in_send = False

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper()
        counts = self.sending if self.in_send else self.counts
        counts[kind] = counts.get(kind, 0) + 1
        return execute(sql, params, many, context)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def send_total(self):
        return sum(self.sending.values())


def _sweep(now):
    """One sweep; (seconds, send seconds, counter, result, peak RSS growth in MB)."""
    from django.db import connection

    from reminders import services

    counter = QueryCounter()
    real_send = services.send_digests
    send_seconds = []

    def timed_send(*args, **kwargs):
        counter.in_send = True
        started = time.perf_counter()
        try:
            return real_send(*args, **kwargs)
        finally:
            send_seconds.append(time.perf_counter() - started)
            counter.in_send = False

    services.send_digests = timed_send
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        with connection.execute_wrapper(counter):
            result = services.reminders_sweep(now=now)
    finally:
        services.send_digests = real_send
    seconds = time.perf_counter() - start
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    return seconds, sum(send_seconds), counter, result, round(growth, 1)


def run(owners=OWNERS, actions_per_owner=ACTIONS_PER_OWNER, setup=True, tag="a"):
    """Seed, sweep twice; return the figures as a dict (and check the digests)."""
    if setup:
        common.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    settings.EMAIL_BACKEND = "bench.bench_reminders.CountingBackend"
    CountingBackend.sent_to = []
    users, managers = seed(owners, actions_per_owner, tag)
    now = timezone.now()
    seconds, send_seconds, counter, result, rss_growth = _sweep(now)
    per_owner = {}
    for address in CountingBackend.sent_to:
        per_owner[address] = per_owner.get(address, 0) + 1
    missing = [u.email for u in users if per_owner.get(u.email) != 1]
    again_seconds, _, again_counter, again, _ = _sweep(now)
    record_seconds = seconds - send_seconds
    figures = {
        "database": connection.vendor,
        "owners": len(users),
        "actions": len(users) * actions_per_owner,
        "seconds": round(seconds, 3),
        "record_seconds": round(record_seconds, 3),
        "send_seconds": round(send_seconds, 3),
        "queries": counter.total + counter.send_total,
        "record_queries": counter.total,
        "send_queries": counter.send_total,
        "queries_by_kind": dict(sorted(counter.counts.items())),
        "send_queries_by_kind": dict(sorted(counter.sending.items())),
        "rss_growth_mb": rss_growth,
        "digests_sent": result.digests_sent,
        "reminders_recorded": result.reminders_recorded,
        "owners_with_exactly_one_digest": len(users) - len(missing),
        "managers_with_a_digest": sum(1 for m in managers if per_owner.get(m.email) == 1),
        "second_sweep_seconds": round(again_seconds, 3),
        "second_sweep_queries": again_counter.total + again_counter.send_total,
        "second_sweep_digests": again.digests_sent,
        "target_seconds": TARGET_SECONDS,
        "ok": not missing and again.digests_sent == 0 and record_seconds <= TARGET_SECONDS,
    }
    return figures


def print_figures(figures):
    print(
        f"Reminder sweep, {figures['actions']:,} open actions for {figures['owners']:,} owners "
        f"({figures['database']}):"
    )
    print(
        f"  {figures['seconds']:.2f} s: record {figures['record_seconds']:.2f} s "
        f"(target <= {figures['target_seconds']:.0f} s) in {figures['record_queries']} queries "
        f"{figures['queries_by_kind']}; send {figures['send_seconds']:.2f} s in "
        f"{figures['send_queries']} queries {figures['send_queries_by_kind']}"
    )
    print(
        f"  {figures['digests_sent']:,} digests sent with {figures['reminders_recorded']:,} "
        f"reminders; owners with exactly one digest: "
        f"{figures['owners_with_exactly_one_digest']:,}/{figures['owners']:,}; "
        f"project managers (escalations): {figures['managers_with_a_digest']}; "
        f"peak memory +{figures['rss_growth_mb']} MB"
    )
    print(
        f"  second sweep: {figures['second_sweep_digests']} digests, "
        f"{figures['second_sweep_seconds']:.2f} s, {figures['second_sweep_queries']} queries"
    )
    print("  OK" if figures["ok"] else "  NOT OK")


# --- Side by side with the previous implementation ---------------------------------------


def _previous_package(folder):
    """The previous ``reminders`` package, extracted under ``folder``; None without git."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", PREVIOUS, "reminders"],
            capture_output=True, check=True, timeout=60,
        )  # fmt: skip
        subprocess.run(
            ["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return folder


def _child(owners, previous=None):
    """run(owners) in a child process (``previous``: with that reminders package)."""
    env = {**os.environ, "BENCH_REMINDERS_PREVIOUS": str(previous or "")}
    # The package is loaded by hand: the editable install's import hook would find this
    # worktree's reminders before anything on sys.path.
    code = (
        "import importlib.util, json, os, sys\n"
        "previous = os.environ['BENCH_REMINDERS_PREVIOUS']\n"
        "if previous:\n"
        "    package = os.path.join(previous, 'reminders')\n"
        "    spec = importlib.util.spec_from_file_location('reminders', "
        "os.path.join(package, '__init__.py'), submodule_search_locations=[package])\n"
        "    sys.modules['reminders'] = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(sys.modules['reminders'])\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench import bench_reminders\n"
        f"figures = bench_reminders.run(owners={owners})\n"
        "import reminders.services\n"
        "figures['implementation'] = reminders.services.__file__\n"
        f"print({MARKER!r} + json.dumps(figures))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=1800, check=False,
    )  # fmt: skip
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise RuntimeError(result.stderr[-2000:])


def _row(name, figures):
    return (
        f"| {name} | {figures['actions']:,} | {figures['record_seconds']:.2f} s | "
        f"{figures['record_queries']} | {figures['send_seconds']:.2f} s | "
        f"{figures['send_queries']:,} | {figures['seconds']:.2f} s | "
        f"+{figures['rss_growth_mb']:.0f} MB | "
        f"{figures['owners_with_exactly_one_digest']:,}/{figures['owners']:,} | "
        f"{figures['second_sweep_digests']} in {figures['second_sweep_seconds']:.2f} s |"
    )


def main():
    rows, ok = [], True
    with tempfile.TemporaryDirectory(prefix="bench-reminders-previous-") as folder:
        previous = _previous_package(Path(folder))
        for owners in SIZES:
            current = _child(owners)
            print_figures(current)
            ok = ok and current["ok"]
            rows.append(_row("set-based (this)", current))
            if previous is None:
                actions = owners * ACTIONS_PER_OWNER
                rows.append(
                    f"| previous (issue 13) | {actions:,} | | | | | "
                    f"{PREVIOUS_FROM_THE_ISSUE[actions]} | | | |"
                )
                continue
            before = _child(owners, previous)
            print(f"  previous implementation ({PREVIOUS[:7]}):")
            print_figures(before)
            rows.append(_row(f"previous ({PREVIOUS[:7]})", before))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nSide by side ({current['database']}, load average at the end {load}; record = revert, plan, claim and record, "
        f"target <= {TARGET_SECONDS:.0f} s and <= {TARGET_QUERIES} queries; send = render, "
        "hand to the backend, mark, one mark per digest):\n"
    )
    print(
        "| sweep | actions | record | queries | send | queries | total | memory "
        "| owners with one digest | second sweep |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
