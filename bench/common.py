"""Shared measuring code for the benchmark scripts.

A script calls ``setup()`` first (Django with a fresh test database), seeds its
data, then ``measure_page(client, url)`` which returns the page's query count,
median server time over warm requests, HTML size, and the same figures for the
bare-Django floor page of the same size, measured in the same run.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection

    # No setup_test_environment(): it instruments template rendering and would slow every page.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _timed_get(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure_page(client, url, requests=50):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    reset_queries()  # request_started resets the log; start from zero so the count is right
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # read now: later requests reset the connection's query log
    floor_url = f"/__floor__/{size}/"
    floor_size = len(client.get(floor_url).content)
    # Alternate page and floor requests so that load from other processes hits both alike.
    page_times, floor_times = [], []
    for _ in range(requests):
        page_times.append(_timed_get(client, url))
        floor_times.append(_timed_get(client, floor_url))
    page_ms = statistics.median(page_times)
    floor_ms = statistics.median(floor_times)
    return {
        "url": url,
        "queries": queries,
        "bytes": size,
        "ms": page_ms,
        "floor_ms": floor_ms,
        "floor_bytes": floor_size,
        "ratio": page_ms / floor_ms if floor_ms else float("nan"),
    }


def format_row(name, row):
    return (
        f"{name:<28} {row['queries']:>7} {row['bytes'] / 1024:>8.1f} KB "
        f"{row['ms']:>9.2f} ms {row['floor_ms']:>9.2f} ms {row['ratio']:>6.2f}x"
    )


HEADER = f"{'page':<28} {'queries':>7} {'size':>11} {'median':>12} {'floor':>12} {'ratio':>7}"


def report(figures, lines):
    """Print a benchmark's ``lines(figures)``; the exit status says whether its targets held."""
    print("\n".join(lines(figures)))
    return 0 if figures["ok"] else 1
