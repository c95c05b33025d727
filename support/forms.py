"""Forms of the support pages. Hours are typed as text rows (support.hours_text), in the
plan's time zone."""

from django import forms

from core.forms import DateInput
from cutover.forms import COMMON_TIME_ZONES
from projects.models import SignoffRole
from projects.selectors import member_users
from support.hours_text import HoursTextError, parse_exceptions, parse_weekly
from support.models import CriterionStatus, Level, SupportPlanSignOff

WEEKLY_HELP = (
    "One row per line: days, then hours. “Mon-Fri 08:00-18:00”, “Sat,Sun 24h”, "
    "“Mon-Sun 18:00-08:00” (an end at or before the start runs past midnight)."
)


class SupportPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in COMMON_TIME_ZONES], initial="Europe/London",
        help_text="Every line's hours, and the gaps, are in this time zone.",
    )  # fmt: skip
    hypercare_weeks = forms.IntegerField(
        label="Hypercare (weeks)", min_value=1, max_value=26, initial=4,
        help_text="Hypercare starts at go-live and lasts this long.",
    )  # fmt: skip
    hypercare_hours = forms.CharField(
        label="Cover needed during hypercare", widget=forms.Textarea(attrs={"rows": 2}),
        required=False, initial="Mon-Fri 08:00-18:00",
        help_text="Every line must cover these hours during hypercare, and every hour of the "
        "cutover window. " + WEEKLY_HELP,
    )  # fmt: skip
    signoff_roles = forms.MultipleChoiceField(
        label="Signed off by", choices=SignoffRole.choices, widget=forms.CheckboxSelectMultiple,
        initial=["project_manager", "support_lead"],
    )  # fmt: skip

    def clean_hypercare_hours(self):
        try:
            return parse_weekly(self.cleaned_data["hypercare_hours"])
        except HoursTextError as error:
            raise forms.ValidationError(str(error)) from None


class LineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    level = forms.ChoiceField(choices=Level.choices)
    team = forms.CharField(max_length=200)
    handles = forms.CharField(
        label="What it handles", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(min_value=1, max_value=99, required=False)
    weekly = forms.CharField(
        label="Weekly hours", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=WEEKLY_HELP,
    )  # fmt: skip
    exceptions = forms.CharField(
        label="Exceptions for given dates", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One row per date: “2026-03-07 closed”, “2026-03-07 00:00-06:00”, "
        "“2026-03-07 24h”. A date's rows replace its weekly hours.",
    )  # fmt: skip

    def clean_weekly(self):
        try:
            return parse_weekly(self.cleaned_data["weekly"])
        except HoursTextError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_exceptions(self):
        try:
            return parse_exceptions(self.cleaned_data["exceptions"])
        except HoursTextError as error:
            raise forms.ValidationError(str(error)) from None

    def service_fields(self):
        data = self.cleaned_data
        hours, closed = data["exceptions"]
        return {
            "level": data["level"], "team": data["team"], "handles": data["handles"],
            "order": data["order"], "weekly": data["weekly"], "exception_hours": hours,
            "closed_dates": closed,
        }  # fmt: skip


class ContactForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, required=False, empty_label="Someone else")
    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_users(project)


class EscalationForm(forms.Form):
    target = forms.ChoiceField(label="Escalate to")
    response_minutes = forms.IntegerField(
        label="Expected response (minutes)", min_value=1, max_value=7 * 24 * 60
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a line or a contact")]
        for line in lines:
            choices.append((f"line-{line.pk}", f"{line.name} · {line.team}"))
            choices.extend(
                (f"contact-{contact.pk}", f"{line.name}: {contact}")
                for contact in line.contacts.all()
            )
        self.fields["target"].choices = choices
        self.lines = {line.pk: line for line in lines}
        self.contacts = {c.pk: c for line in lines for c in line.contacts.all()}

    def chosen(self):
        kind, _, pk = self.cleaned_data["target"].partition("-")
        if kind == "line":
            return {"line": self.lines[int(pk)]}
        return {"contact": self.contacts[int(pk)]}


class KnowledgeTransferForm(forms.Form):
    topic = forms.CharField(max_length=200)
    date = forms.DateField(widget=DateInput())
    from_members = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="From (members)"
    )
    from_text = forms.CharField(max_length=200, required=False, label="From (others)")
    to_members = forms.ModelMultipleChoiceField(queryset=None, required=False, label="To (members)")
    to_text = forms.CharField(max_length=200, required=False, label="To (others)")
    attended = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        users = member_users(project)
        self.fields["from_members"].queryset = users
        self.fields["to_members"].queryset = users


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (SupportPlanSignOff.Decision.APPROVE, "Approve"),
            (SupportPlanSignOff.Decision.REJECT, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    as_role = forms.ChoiceField(choices=SignoffRole.choices, required=False, label="Sign as")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExitCriterionForm(forms.Form):
    text = forms.CharField(label="Exit criterion", max_length=300)
    owner = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)


class CriterionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CriterionStatus.choices)


class CheckInForm(forms.Form):
    date = forms.DateField(widget=DateInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    p1 = forms.IntegerField(label="Open P1", min_value=0, initial=0)
    p2 = forms.IntegerField(label="Open P2", min_value=0, initial=0)
    p3 = forms.IntegerField(label="Open P3", min_value=0, initial=0)
    p4 = forms.IntegerField(label="Open P4", min_value=0, initial=0)
    decisions = forms.CharField(
        label="Decisions taken", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm."},
    )
