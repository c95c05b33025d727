"""Benchmark settings: production-like (DEBUG off, no debug toolbar), test database."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
