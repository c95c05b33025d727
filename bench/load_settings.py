"""Settings of the load test: the production settings (from the environment, as deployed),
with static files collected into the run's own temporary folder instead of var/static,
and the floor page of bench/urls.py next to the site's pages."""

import os

from readiness.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# The site's URLs plus the bare-Django floor page, loaded the same way for comparison.
ROOT_URLCONF = "bench.urls"
