from django.conf import settings


def site(request):
    """The site name, and whether it runs in debug mode."""
    return {"SITE_NAME": "readiness", "DEBUG": settings.DEBUG}
