from django.conf import settings


def site(request):
    """The current project (set by project-scoped views) and the user's role in it."""
    return {"SITE_NAME": "readiness", "DEBUG": settings.DEBUG}
