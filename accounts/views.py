import base64
import functools

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import LoginView
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts.forms import AccessTokenForm, EmailAuthenticationForm, ProfileForm, TwoStepCodeForm
from accounts.selectors import (
    access_token_get,
    access_tokens_of,
    two_step_required,
    two_step_state,
)
from accounts.services import (
    access_token_create,
    access_token_revoke,
    password_reset_request,
    recovery_codes_regenerate,
    two_step_confirm,
    two_step_disable,
    two_step_setup_start,
    two_step_verify,
)
from accounts.sso import sso_button
from core.forms import add_service_errors
from core.http import client_ip


def _qr_svg(device):
    """The otpauth URI as an inline SVG QR code (drawn here: no external service)."""
    return mark_safe(  # noqa: S308 (segno's own SVG markup of a URI we made)
        segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#000")
    )


def _profile_page(
    request,
    *,
    form=None,
    token_form=None,
    new_secret=None,
    code_form=None,
    recovery_codes=None,
    status=200,
):
    two_step = two_step_state(request.user)
    if two_step["pending"]:
        two_step["qr_svg"] = _qr_svg(two_step["pending"])
        two_step["secret"] = base64.b32encode(two_step["pending"].bin_key).decode()
    context = {
        "form": form or ProfileForm(instance=request.user),
        "token_form": token_form or AccessTokenForm(),
        "tokens": access_tokens_of(request.user),
        "new_secret": new_secret,
        "two_step": two_step,
        "code_form": code_form or TwoStepCodeForm(),
        "recovery_codes": recovery_codes,
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return _profile_page(request, form=form, status=422 if form.errors else 200)


@require_POST
def token_create(request):
    """Make an API token and show its secret, once: this response is the only place it
    appears (it is not put in a message or a redirect, which would store it)."""
    token_form = AccessTokenForm(request.POST)
    if not token_form.is_valid():
        return _profile_page(request, token_form=token_form, status=422)
    try:
        token, secret = access_token_create(acting_user=request.user, **token_form.cleaned_data)
    except ValidationError as error:
        add_service_errors(token_form, error)
        return _profile_page(request, token_form=token_form, status=422)
    response = _profile_page(request, new_secret={"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, token_pk):
    token = access_token_get(request.user, token_pk)
    access_token_revoke(token=token, acting_user=request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("accounts:profile")


# --- Two-step sign-in: the profile's section ------------------------------------------


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def two_step_setup(request):
    try:
        two_step_setup_start(acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("accounts:profile") + "#two-step")


@require_POST
def two_step_setup_confirm(request):
    """Confirm the set-up with a first code; the recovery codes appear in this response
    only (not in a message or a redirect, which would store them)."""
    code_form = TwoStepCodeForm(request.POST)
    if not code_form.is_valid():
        return _no_store(_profile_page(request, code_form=code_form, status=422))
    try:
        device, codes = two_step_confirm(
            acting_user=request.user, token=code_form.cleaned_data["token"]
        )
    except ValidationError as error:
        add_service_errors(code_form, error)
        return _no_store(_profile_page(request, code_form=code_form, status=422))
    otp_login(request, device)
    messages.success(request, "Two-step sign-in is on: you will be asked for a code at log-in.")
    return _no_store(_profile_page(request, recovery_codes=codes))


@require_POST
def recovery_codes_new(request):
    try:
        codes = recovery_codes_regenerate(acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("accounts:profile") + "#two-step")
    return _no_store(_profile_page(request, recovery_codes=codes))


@require_POST
def two_step_off(request):
    code_form = TwoStepCodeForm(request.POST)
    if code_form.is_valid():
        try:
            two_step_disable(acting_user=request.user, token=code_form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(code_form, error)
        else:
            messages.success(request, "Two-step sign-in is off: the password alone logs you in.")
            return redirect(reverse("accounts:profile") + "#two-step")
    return _profile_page(request, code_form=code_form, status=422)


# --- Two-step sign-in: logging in -----------------------------------------------------


PENDING_KEY = "two_step_pending"
PENDING_SALT = "accounts.two-step-pending"


class TwoStepLoginView(LoginView):
    """Django's log-in; someone with two-step sign-in on is not logged in by the password
    alone: the session remembers (signed, for TWO_STEP_PENDING_SECONDS) who passed it, and
    the code page finishes the log-in."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso"] = sso_button(self.request, self.get_redirect_url())
        return context

    def post(self, request, *args, **kwargs):
        """SSO only: no password is checked, whatever is posted."""
        if settings.SSO_ONLY:
            messages.error(request, f"This site signs in with {settings.OIDC_BUTTON_LABEL} only.")
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not two_step_required(user):
            response = super().form_valid(form)
            if settings.OTP_REQUIRED_FOR_STAFF and user.is_staff:
                messages.warning(self.request, "Set up two-step sign-in to use the admin.")
                return redirect(reverse("accounts:profile") + "#two-step")
            return response
        self.request.session[PENDING_KEY] = signing.dumps(
            {"user": user.pk, "backend": user.backend, "next": self.get_redirect_url()},
            salt=PENDING_SALT,
        )
        return redirect("login_code")


def _pending(request):
    """(user, backend, next) of who passed the password in this session, or None."""
    try:
        data = signing.loads(
            request.session.get(PENDING_KEY, ""),
            salt=PENDING_SALT,
            max_age=settings.TWO_STEP_PENDING_SECONDS,
        )
    except signing.BadSignature:  # expired, tampered with, or absent
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    return (user, data["backend"], data["next"]) if user else None


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    pending = _pending(request)
    if pending is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Log in with your password first (a log-in waits 5 minutes).")
        return redirect("login")
    user, backend, next_url = pending
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.email}
    form = TwoStepCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials):
            request.axes_locked_out = True  # axes' middleware answers with the lock-out page
            request.axes_credentials = credentials
            request.session.pop(PENDING_KEY, None)
            return render(request, "registration/login_code.html", {"form": form}, status=429)
        device = two_step_verify(user=user, token=form.cleaned_data["token"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING_KEY, None)
            form.add_error("token", "That code is not right. Try the current one from your app.")
            return render(request, "registration/login_code.html", {"form": form}, status=422)
        del request.session[PENDING_KEY]
        login(request, user, backend=backend)
        otp_login(request, device)
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = settings.LOGIN_REDIRECT_URL
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/login_code.html", {"form": form})


def passwords_on(view):
    """``view``, unless the site is SSO only: then a page says that passwords are not used
    here (404: the page does not exist on such a site)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.SSO_ONLY:
            context = {"sso": sso_button(request, "")}
            return render(request, "registration/sso_only.html", context, status=404)
        return view(request, *args, **kwargs)

    return wrapped


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset mail. The answer never says whether the address has an account:
    the mail goes from a task, which looks it up."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
            return render(
                request, "registration/password_reset_form.html", {"form": form}, status=429
            )
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})
