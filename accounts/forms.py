from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Membership, Role, User


def add_service_errors(form, error):
    """Show a service's ValidationError on the form: field errors on their field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class MembershipAddForm(forms.Form):
    email = forms.EmailField(label="E-mail of an existing user")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class StakeholderRolesForm(forms.Form):
    signoff_roles = forms.MultipleChoiceField(
        label="Stakeholder roles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Items that name one of these roles can be signed off by this person.",
    )

    def __init__(self, *args, **kwargs):
        from reviews.models import SignoffRole

        super().__init__(*args, **kwargs)
        self.fields["signoff_roles"].choices = SignoffRole.choices


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
