"""The pages that compose every app (home, the project list and the project page), and the
health probe."""

import logging
import sys
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.cache import safe_cache
from projects.decorators import project_view
from readiness.celery import app as celery_app
from readiness.dashboard import home_context, project_list_page, project_page_context

logger = logging.getLogger(__name__)


@require_http_methods(["GET"])
def home(request):
    return render(request, "readiness/home.html", home_context(request.user))


@require_http_methods(["GET"])
def project_list(request):
    page = project_list_page(request)
    return render(request, "readiness/project_list.html", {"projects": page, "page": page})


@require_http_methods(["GET"])
@project_view
def project_detail(request, access):
    return render(request, "readiness/project_detail.html", project_page_context(access.project))


def _down(service, error):
    """What /health/ says of a service that failed: the error's kind only (the page is public;
    the details, which may name hosts, go to the log)."""
    logger.warning("Health: %s is down: %s: %s", service, type(error).__name__, error)
    return f"down ({type(error).__name__})"


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _down("database", error)
    return "ok"


def _cache_status():
    error = safe_cache.ping()
    return "ok" if error is None else _down("cache", error)


def _broker_status():
    if celery_app.conf.task_always_eager:
        return "not used (tasks run in the web process)"
    try:
        with celery_app.connection_for_write(connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=0, timeout=2)
    except Exception as error:
        return _down("broker", error)
    return "ok"


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def health(request):
    """For the proxy, compose and monitoring: each service's state, as JSON.

    200 while the database answers (the site works, maybe slower or with background work
    delayed when the cache or the broker is down: "degraded"); 503 when it does not.
    """
    services = {
        "database": _database_status(),
        "cache": _cache_status(),
        "broker": _broker_status(),
    }
    healthy = {"ok", "not used (tasks run in the web process)"}
    if services["database"] != "ok":
        overall = "down"
    elif all(value in healthy for value in services.values()):
        overall = "ok"
    else:
        overall = "degraded"
    return JsonResponse({"status": overall, **services}, status=503 if overall == "down" else 200)


@login_not_required
@require_http_methods(["GET"])
def admin_login(request):
    """The admin's log-in: the site's own page (the log-in page checks ``next``)."""
    if request.user.is_authenticated:  # signed in, yet the admin sent them here: not staff
        messages.error(request, "Your account cannot use the admin.")
        return redirect("home")
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def server_error(request):
    """handler500: a database that does not answer is a 503 saying so (try again in a
    minute); anything else the usual 500 page. Neither touches the database."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponseServerError(loader.get_template("503.html").render())
        response.status_code = 503
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
