"""Requests per token (and per person on a browser session), counted in the cache."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.cache import safe_cache


class PerTokenThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per token; a session counts per person. A cache that
    is down lets requests through (``core.cache.safe_cache``): a limit must not take the
    API down."""

    scope = "api"
    cache = safe_cache

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view):
        # The rate is read per request, so a settings change (and the tests) take effect.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = request.auth
        if token is not None and hasattr(token, "pk"):
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"api-throttle:v1:{ident}"
