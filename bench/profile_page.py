"""Where a page spends its time: cProfile of warm requests at a data size.

    .venv/bin/python bench/profile_page.py home --size 50 --requests 20 [--top 40]
    .venv/bin/python bench/profile_page.py home --size 50 --keep /tmp/world50  # reuse the data

With ``--keep DIR`` the seeded world (SQLite only) is saved the first time and loaded the
next times, so that trying a change on one page does not cost the two minutes of seeding.

The pages and personas are bench/run.py's; prints the median beside the bare page of the
same size, then the functions of the project (not Django's or the standard library's)
with the most cumulative time.
"""

import argparse
import cProfile
import pickle
import pstats
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.run import PAGES  # noqa: E402

APPS = ("core/", "accounts/", "projects/", "reviews/", "risks/", "cutover/", "decisions/",
        "summaries/", "reminders/", "readiness/", "templates/")  # fmt: skip


def _world(bench_world, size, keep):
    from django.db import connection

    saved = Path(keep) / f"world-{size}x" if keep else None
    if saved and (saved / "db.sqlite3").exists():
        connection.ensure_connection()
        sqlite3.connect(saved / "db.sqlite3").backup(connection.connection)
        # The file is the one this script wrote a moment ago on this machine.
        return pickle.loads((saved / "world.pickle").read_bytes())  # noqa: S301
    world = bench_world.seed_1x()
    if size != 1:
        bench_world.grow_to(world, size)
    if saved:
        saved.mkdir(parents=True, exist_ok=True)
        connection.connection.backup(sqlite3.connect(saved / "db.sqlite3"))
        (saved / "world.pickle").write_bytes(pickle.dumps(world))
    return world


def _print_queries(client, url):
    import time

    from django.db import connection

    timed = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timer):
        client.get(url)
    for ms, sql in timed:
        print(f"{ms:7.2f} ms  {sql if ms > 5 else sql[:300]}")
    print(f"{sum(ms for ms, _ in timed):7.2f} ms in {len(timed)} queries")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page", choices=[name for name, _, _ in PAGES])
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--all", action="store_true", help="Django's functions too")
    parser.add_argument("--sql", action="store_true", help="each query of one request, timed")
    parser.add_argument("--keep", help="a directory to save the seeded world in, or load it from")
    options = parser.parse_args()

    common.setup()
    from django.test import Client

    from bench import world as bench_world

    world = _world(bench_world, options.size, options.keep)
    _, persona, url = next(page for page in PAGES if page[0] == options.page)
    client = Client()
    client.force_login(world.people[persona])
    row = common.measure_page(client, url(world), requests=options.requests)
    print(
        f"{options.page} at {options.size}x: {row['ms']:.1f} ms, bare {row['floor_ms']:.1f} ms "
        f"({row['ratio']:.2f}x), {row['queries']} queries, {row['bytes'] / 1024:.0f} KB"
    )
    if options.sql:
        _print_queries(client, url(world))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(options.requests):
        client.get(url(world))
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("cumulative")
    if options.all:
        stats.print_stats(options.top)
    else:
        stats.print_stats("|".join(f"/{app}" for app in APPS), options.top)


if __name__ == "__main__":
    main()
