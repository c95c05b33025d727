"""The pages that compose every app: home, the project list and the project page."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from projects.decorators import project_view
from readiness.dashboard import home_context, project_cards, project_page_context


@require_http_methods(["GET"])
def home(request):
    return render(request, "readiness/home.html", home_context(request.user))


@require_http_methods(["GET"])
def project_list(request):
    projects, _ = project_cards(request.user)
    return render(request, "readiness/project_list.html", {"projects": projects})


@require_http_methods(["GET"])
@project_view
def project_detail(request, access):
    return render(request, "readiness/project_detail.html", project_page_context(access.project))
