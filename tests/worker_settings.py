"""Settings of the real Celery workers and gunicorn web servers the service tests start
(tests/test_worker.py, tests/readiness/test_two_hosts.py).

The site's own settings, read from the environment the test passes (DATABASE_URL of the
test database, REDIS_URL, MEDIA_ROOT or STORAGE_URL, EMAIL_URL=filemail://<tmp dir>), plus
the test's own queue so concurrent test runs on one Redis never take each other's tasks.
"""

import os

os.environ.setdefault("SECRET_KEY", "worker-tests-only-secret-key")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

from readiness.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_CELERY_QUEUE"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Pages name static files without the manifest `collectstatic` writes in production (a web
# server started by a test serves pages, not the static files themselves).
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
