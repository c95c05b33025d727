"""OTP_REQUIRED_FOR_STAFF: site staff use the admin only after signing in with a code, or
through single sign-on (the provider asks for its own second factor: README "Single sign-on")."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.sso import signed_in_with_sso


class StaffTwoStepMiddleware:
    """With the setting on, a staff member not verified by a code this session is sent
    from the admin to their profile, to set up (or sign in again with) two-step sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request) and request.path.startswith(reverse("admin:index")):
            messages.warning(
                request,
                "The admin needs two-step sign-in: set it up here, or log out and log in "
                "again with your code.",
            )
            return redirect(reverse("accounts:profile") + "#two-step")
        return self.get_response(request)

    @staticmethod
    def _must_verify(request):
        user = getattr(request, "user", None)
        return (
            settings.OTP_REQUIRED_FOR_STAFF
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not signed_in_with_sso(request)
        )
