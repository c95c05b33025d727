"""The site's URLs plus the bare-Django floor page the benchmarks compare against."""

from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

from readiness.urls import urlpatterns as site_urlpatterns

_FLOOR = Engine().from_string(
    "<!doctype html><html><head><title>floor</title></head><body>{{ body }}</body></html>"
)


def floor(request, size):
    """A bare Django page: same middleware and login, one template, `size` bytes of HTML."""
    body = "<p>" + ("x" * max(size - 90, 0)) + "</p>"
    return HttpResponse(_FLOOR.render(Context({"body": body})))


urlpatterns = [path("__floor__/<int:size>/", floor), *site_urlpatterns]
