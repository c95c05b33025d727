from django.conf import settings


def site(request):
    """The site name, whether it runs in debug mode, and whether passwords are off."""
    return {"SITE_NAME": "readiness", "DEBUG": settings.DEBUG, "SSO_ONLY": settings.SSO_ONLY}
