from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import AccessTokenForm, ProfileForm
from accounts.selectors import access_token_get, access_tokens_of
from accounts.services import access_token_create, access_token_revoke, password_reset_request
from core.forms import add_service_errors
from core.http import client_ip


def _profile_page(request, *, form=None, token_form=None, new_secret=None, status=200):
    context = {
        "form": form or ProfileForm(instance=request.user),
        "token_form": token_form or AccessTokenForm(),
        "tokens": access_tokens_of(request.user),
        "new_secret": new_secret,
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
