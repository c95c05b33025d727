"""Settings of the real Celery worker the service tests start (tests/test_worker.py).

The site's own settings, read from the environment the test passes (DATABASE_URL of the
test database, REDIS_URL, MEDIA_ROOT, EMAIL_URL=filemail://<tmp dir>), plus the test's
own queue so concurrent test runs on one Redis never take each other's tasks.
"""

import os

os.environ.setdefault("SECRET_KEY", "worker-tests-only-secret-key")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

from readiness.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_CELERY_QUEUE"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
