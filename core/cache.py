"""The cache, as every app uses it: a failure is logged and degrades to "not cached".

The cache only ever holds what can be computed again (scores, rate-limit counters), so a
Redis that is down, full or slow must not turn a page into a server error: reads answer
"missing", writes are dropped, and each failure is logged as a warning. Use ``safe_cache``
instead of ``django.core.cache.cache``.
"""

import logging
import time

from django.core.cache import cache as django_cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)


class SafeCache:
    """Wraps the default cache; every call answers even when the cache backend fails."""

    def __init__(self, backend=None):
        self._backend = backend

    @property
    def backend(self):
        return self._backend if self._backend is not None else django_cache

    def _failed(self, operation, error):
        logger.warning(
            "Cache unavailable (%s failed: %s: %s); working without the cache",
            operation, type(error).__name__, error,
        )  # fmt: skip

    def _call(self, operation, default, *args, **kwargs):
        try:
            return getattr(self.backend, operation)(*args, **kwargs)
        except Exception as error:
            self._failed(operation, error)
            return default

    def get(self, key, default=None):
        return self._call("get", default, key, default)

    def get_many(self, keys):
        return self._call("get_many", {}, list(keys))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        return self._call("set", False, key, value, timeout) is not False

    def set_many(self, mapping, timeout=DEFAULT_TIMEOUT):
        return self._call("set_many", None, mapping, timeout) is not None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT):
        """True when the key was added; None when the cache could not say."""
        return self._call("add", None, key, value, timeout)

    def incr(self, key, delta=1):
        """The new value; None when the key is missing or the cache could not say."""
        try:
            return self.backend.incr(key, delta)
        except ValueError:  # missing key
            return None
        except Exception as error:
            self._failed("incr", error)
            return None

    def delete(self, key):
        return self._call("delete", False, key)

    def ping(self):
        """Write and read back a throwaway key: None when that works, else the error."""
        key = f"health:{time.monotonic_ns()}"
        try:
            self.backend.set(key, "1", 10)
            if self.backend.get(key) != "1":
                return LookupError("a value written could not be read back")
            self.backend.delete(key)
        except Exception as error:
            return error
        return None


safe_cache = SafeCache()


def within_limit(key, *, limit, seconds):
    """Count one more hit of ``key`` in a window of ``seconds``; False once past ``limit``.

    The window starts at the first hit. With the cache down nothing is counted and every
    hit is allowed (and the outage logged): a rate limit must not take the site down.
    """
    safe_cache.add(key, 0, seconds)
    count = safe_cache.incr(key)
    return count is None or count <= limit
