from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import normalise_login
from accounts.models import User


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
