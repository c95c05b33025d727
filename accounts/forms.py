from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import normalise_login
from accounts.models import AccessToken, User
from accounts.services import TOKEN_LIFETIMES_DAYS


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self):
        # One spelling per account, so the lock-out counts every spelling together.
        return normalise_login(self.cleaned_data["username"])


class ProfileForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(
        label="Digest hour",
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text="When the daily digest e-mail is sent (site time).",
    )

    class Meta:
        model = User
        fields = ["full_name", "digest_enabled", "digest_hour"]


class AccessTokenForm(forms.Form):
    """A new personal access token for the API."""

    name = forms.CharField(
        max_length=100, help_text="What will use it, e.g. “Jira sync” or “my laptop”."
    )
    scope = forms.ChoiceField(
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        help_text="A read token cannot change anything.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in TOKEN_LIFETIMES_DAYS],
        initial=30,
    )


class TwoStepCodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
