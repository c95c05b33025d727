import os

from django import forms
from django.core.files.uploadedfile import UploadedFile

from core.forms import DateInput
from projects.logos import LOGO_MAX_BYTES, validate_project_logo
from projects.models import Membership, Project, Role, Scope, SignoffRole, VoteRule


class ProjectForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="Apps in scope",
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Checklist items that apply to every project are always included.",
    )
    # A plain file input: the media folder is not served, so there is no link to show.
    logo = forms.ImageField(
        label="Logo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={"invalid_image": "This file is not a PNG or JPEG image we can read."},
        help_text=f"Printed on the summary PDF's cover. PNG or JPEG, at most "
        f"{LOGO_MAX_BYTES // (1024 * 1024)} MB.",
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)

    class Meta:
        model = Project
        fields = [
            "name", "customer", "description", "go_live_date", "scopes", "phase",
            "reminder_due_soon_days", "escalation_after_days", "reminders_paused",
            "vote_rule", "votes_required", "logo", "remove_logo", "confidentiality_note",
        ]  # fmt: skip
        widgets = {"go_live_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    replan_reason = forms.CharField(
        label="Why the go-live date moves",
        required=False,
        max_length=1000,
        help_text="Needed when you change the planned go-live date; the project keeps every re-plan.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new project has no date to move yet
            del self.fields["replan_reason"]
        if self.instance.logo:
            name = os.path.basename(self.instance.logo.name)
            self.fields["logo"].help_text += f" Now: {name}; choose a file to replace it."
        else:
            del self.fields["remove_logo"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):  # a new upload, not the file already stored
            validate_project_logo(logo)
        return logo

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("vote_rule") == VoteRule.AT_LEAST and not cleaned.get("votes_required"):
            self.add_error("votes_required", "Say how many approver go votes a decision needs.")
        moved = self.instance.pk and "go_live_date" in self.changed_data
        if moved and not (cleaned.get("replan_reason") or "").strip():
            self.add_error("replan_reason", "Say why the go-live date moves.")
        if cleaned.get("remove_logo") and "logo" in self.files:
            self.add_error("remove_logo", "Choose a new logo or remove the current one, not both.")
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail", help_text="With or without an account on readiness.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)
    signoff_roles = forms.MultipleChoiceField(
        label="Stakeholder roles (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=SignoffRole.choices,
        help_text="The checklist items they may sign off. You can change them later.",
    )


class InvitationRegisterForm(forms.Form):
    """Someone invited without an account: their name and a password."""

    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class StakeholderRolesForm(forms.Form):
    signoff_roles = forms.MultipleChoiceField(
        label="Stakeholder roles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=SignoffRole.choices,
        help_text="Items that name one of these roles can be signed off by this person.",
    )
