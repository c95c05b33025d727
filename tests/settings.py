"""Test-only overrides on top of readiness.settings."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from readiness.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = tempfile.mkdtemp(prefix="readiness-test-media-")
# Tasks run in-process in tests; the worker tests start a real worker and switch this off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The webhook tests deliver to a receiver on 127.0.0.1 (the refusal of private addresses has
# its own tests, which switch this off).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
