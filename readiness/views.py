from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from readiness.home import home_context


@require_http_methods(["GET"])
def home(request):
    return render(request, "home.html", home_context(request.user))
