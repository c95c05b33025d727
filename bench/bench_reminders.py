"""The reminders sweep over 20,000 open actions for 2,000 owners (locmem e-mail backend).

Prints the sweep's time, its query count split into reads and batched writes, the digests
sent, and checks that every owner got exactly one digest; then runs the sweep again, which
must send nothing. Target: <= 5 s, and reads that do not grow with the number of actions.

Run: .venv/bin/python bench/bench_reminders.py      (or ``bench.bench_reminders.run()``)
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

OWNERS = 2_000
ACTIONS_PER_OWNER = 10
OWNERS_PER_PROJECT = 20
# Due dates relative to today: overdue, escalated (>= 5 days late), due soon and later.
DUE_OFFSETS = (-9, -6, -3, -1, 0, 1, 2, 3, 6, 12)
TARGET_SECONDS = 5.0


def seed(owners=OWNERS, actions_per_owner=ACTIONS_PER_OWNER, tag="a"):
    """Projects of OWNERS_PER_PROJECT contributors and one project manager; actions in bulk."""
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
    MitigationAction.objects.bulk_create(
        (
            MitigationAction(
                risk=risks[n // OWNERS_PER_PROJECT],
                owner=user,
                description=f"Bench action {k} of owner {n}: rehearse the cutover step",
                due_date=today + datetime.timedelta(days=DUE_OFFSETS[k % len(DUE_OFFSETS)]),
            )
            for n, user in enumerate(users)
            for k in range(actions_per_owner)
        ),
        batch_size=2000,
    )
    return users, managers


class QueryCounter:
    """Counts statements by kind through an execute wrapper (no SQL kept: cheap)."""

    def __init__(self):
        self.counts = {}

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper()
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return execute(sql, params, many, context)

    @property
    def total(self):
        return sum(self.counts.values())


def _sweep(now):
    from django.db import connection

    from reminders.services import reminders_sweep

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = reminders_sweep(now=now)
    return time.perf_counter() - start, counter, result


def run(owners=OWNERS, actions_per_owner=ACTIONS_PER_OWNER, setup=True, tag="a"):
    """Seed, sweep twice; return the figures as a dict (and check the digests)."""
    if setup:
        common.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    users, managers = seed(owners, actions_per_owner, tag)
    now = timezone.now()
    seconds, counter, result = _sweep(now)
    per_owner = {}
    for message in mail.outbox:
        per_owner[message.to[0]] = per_owner.get(message.to[0], 0) + 1
    missing = [u.email for u in users if per_owner.get(u.email) != 1]
    again_seconds, again_counter, again = _sweep(now)
    figures = {
        "database": connection.vendor,
        "owners": len(users),
        "actions": len(users) * actions_per_owner,
        "seconds": round(seconds, 3),
        "queries": counter.total,
        "queries_by_kind": dict(sorted(counter.counts.items())),
        "digests_sent": result.digests_sent,
        "reminders_recorded": result.reminders_recorded,
        "owners_with_exactly_one_digest": len(users) - len(missing),
        "managers_with_a_digest": sum(1 for m in managers if per_owner.get(m.email) == 1),
        "second_sweep_seconds": round(again_seconds, 3),
        "second_sweep_queries": again_counter.total,
        "second_sweep_digests": again.digests_sent,
        "target_seconds": TARGET_SECONDS,
        "ok": not missing and again.digests_sent == 0 and seconds <= TARGET_SECONDS,
    }
    return figures


def print_figures(figures):
    print(
        f"Reminder sweep, {figures['actions']:,} open actions for {figures['owners']:,} owners "
        f"({figures['database']}):"
    )
    print(
        f"  {figures['seconds']:.2f} s (target <= {figures['target_seconds']:.0f} s), "
        f"{figures['queries']} queries {figures['queries_by_kind']}"
    )
    print(
        f"  {figures['digests_sent']:,} digests sent with {figures['reminders_recorded']:,} "
        f"reminders; owners with exactly one digest: "
        f"{figures['owners_with_exactly_one_digest']:,}/{figures['owners']:,}; "
        f"project managers (escalations): {figures['managers_with_a_digest']}"
    )
    print(
        f"  second sweep: {figures['second_sweep_digests']} digests, "
        f"{figures['second_sweep_seconds']:.2f} s, {figures['second_sweep_queries']} queries"
    )
    print("  OK" if figures["ok"] else "  NOT OK")


def main():
    figures = run()
    print_figures(figures)
    small = run(owners=200, setup=False, tag="b")
    print(
        f"  queries at {small['actions']:,} actions: {small['queries']} "
        f"{small['queries_by_kind']} (reads stay the same; inserts come in batches)"
    )
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
