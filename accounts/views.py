from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.services import password_reset_request
from core.http import client_ip


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


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
