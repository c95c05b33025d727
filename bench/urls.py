"""The site's URLs plus the bare-Django floor page the benchmarks compare against."""

from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

from readiness.urls import urlpatterns as site_urlpatterns

# A plain Django list page: a loop of rows with a few variables each, no app logic.
_FLOOR = Engine().from_string(
    "<!doctype html><html><head><title>floor</title></head><body><main><ul>"
    '{% for row in rows %}<li class="row" id="row-{{ row.id }}"><a href="/rows/{{ row.id }}/">'
    '{{ row.title }}</a> <span class="badge">{{ row.status }}</span><p>{{ row.text }}</p></li>'
    "{% endfor %}</ul></main></body></html>"
)
_ROW_TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6


def floor(request, size):
    """A bare Django page of about ``size`` bytes: same middleware and login, one template."""
    count = max(size // 450, 1)
    rows = [
        {"id": i, "title": f"Row {i}", "status": "done", "text": _ROW_TEXT} for i in range(count)
    ]
    return HttpResponse(_FLOOR.render(Context({"rows": rows})))


urlpatterns = [path("__floor__/<int:size>/", floor), *site_urlpatterns]
