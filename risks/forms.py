import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from core.forms import DateInput, PlainSelect
from projects.selectors import member_users
from risks.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    MitigationAction,
    Risk,
    RiskStatus,
    RiskType,
    SeverityBand,
)

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
NOT_A_MEMBER = (
    "That person is not a member of this project, so they cannot own its actions. "
    "Choose a project member, or ask the project manager to add them first."
)


def _rating(label, help_text=""):
    return forms.TypedChoiceField(
        label=label, choices=[("", "—"), *RATING_CHOICES], coerce=int, empty_value=None,
        required=False, help_text=help_text,
    )  # fmt: skip


class OwnerField(forms.ModelChoiceField):
    """A project member; anyone else is refused with a message that says why."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": NOT_A_MEMBER})
        super().__init__(*args, queryset=kwargs.pop("queryset", None), **kwargs)


class RatedFindingMixin:
    """A risk or an issue needs its likelihood and impact; an assertion has neither."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") in (RiskType.RISK, RiskType.ISSUE):
            for name in ("likelihood", "impact"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Rate the {name} (1 to 5).")
        return cleaned


class RiskForm(RatedFindingMixin, forms.ModelForm):
    """Raise or edit a finding. ``version`` is the version the edit started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    likelihood = _rating("Likelihood", "1 rare · 5 almost certain")
    impact = _rating("Impact", "1 minor · 5 severe")

    class Meta:
        model = Risk
        fields = [
            "title", "type", "category", "status", "likelihood", "impact", "is_blocker",
            "description", "recommendation", "workaround",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
            if self.instance.status != RiskStatus.ACCEPTED:
                # Acceptance has its own form (who accepted it and why).
                self.fields["status"].choices = [
                    c for c in RiskStatus.choices if c[0] != RiskStatus.ACCEPTED
                ]
        else:
            del self.fields["status"]
            del self.fields["version"]

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class FirstActionForm(forms.Form):
    """The optional first mitigation action on the "raise a finding" page."""

    description = forms.CharField(
        label="First mitigation action", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = OwnerField(required=False)
    due_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("description") and not cleaned.get("owner") and "owner" not in self.errors:
            self.add_error("owner", "Every action has exactly one owner.")
        return cleaned


class QuickAddForm(RatedFindingMixin, forms.Form):
    """Capture a finding and its first action in one go, live in a workshop."""

    title = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=RiskType.choices, initial=RiskType.RISK)
    likelihood = _rating("Likelihood")
    impact = _rating("Impact")
    is_blocker = forms.BooleanField(label="Go-live blocker", required=False)
    action_description = forms.CharField(
        label="First action", required=False, max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "What will be done about it"}),
    )  # fmt: skip
    owner = OwnerField(required=False, label="Owner")
    due_date = forms.DateField(label="Due", required=False, widget=DateInput())

    def __init__(self, *args, project, item, **kwargs):
        # Ids carry the item: several items of a review page can have their form open.
        kwargs.setdefault("auto_id", f"quick-{item.pk}-%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)

    def clean(self):
        cleaned = super().clean()
        wants_action = cleaned.get("action_description") and not cleaned.get("owner")
        if wants_action and "owner" not in self.errors:
            self.add_error("owner", "Every action has exactly one owner.")
        return cleaned

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "type": data["type"],
            "likelihood": data["likelihood"],
            "impact": data["impact"],
            "is_blocker": data["is_blocker"],
            "first_action": {
                "description": data["action_description"],
                "owner": data["owner"],
                "due_date": data["due_date"],
            },
        }


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is this risk accepted?", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with your name and the time; visible in the history.",
    )  # fmt: skip
    expires_on = forms.DateField(
        label="Accepted until", required=False, widget=DateInput(),
        help_text="The day after, the finding reopens and its acceptor and the project manager "
        "are told. Left empty: the default period from today.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = default_acceptance_expiry


def default_acceptance_expiry():
    return timezone.localdate() + datetime.timedelta(days=settings.RISK_ACCEPTANCE_DAYS)


class ActionForm(forms.Form):
    """A new action on a finding's mitigation plan."""

    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = OwnerField()
    due_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)


class ActionEditForm(forms.Form):
    """Notes for the owner; description and due date for those who edit the finding.

    ``version`` is the action's version the edit started from.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(required=False, widget=DateInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, action, can_edit, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": action.version,
                "description": action.description,
                "due_date": action.due_date,
                "notes": action.notes,
            },
        )
        super().__init__(*args, **kwargs)
        if not can_edit:
            del self.fields["description"]
            del self.fields["due_date"]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class ReassignForm(forms.Form):
    """Open actions of the project (one or several) and the member who takes them over."""

    actions = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Tick the actions to reassign."}
    )
    owner = OwnerField(label="New owner")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(project)
        self.fields["actions"].queryset = MitigationAction.objects.filter(
            project=project, status__in=OPEN_ACTION_STATUSES
        ).select_related("risk__project")


class RegisterFilterForm(forms.Form):
    """The register's filters (GET). Choices are lists, so rendering costs no query; the
    selects are PlainSelect, drawn on every view of the register."""

    q = forms.CharField(label="Search", required=False)
    type = forms.ChoiceField(
        widget=PlainSelect, required=False, choices=[("", "Any type"), *RiskType.choices]
    )
    status = forms.ChoiceField(
        widget=PlainSelect,
        required=False,
        choices=[("", "Any status"), ("active", "Open or mitigating"), *RiskStatus.choices],
    )
    severity = forms.ChoiceField(
        widget=PlainSelect,
        required=False,
        choices=[("", "Any severity"), *reversed(SeverityBand.choices)],
    )
    blocker = forms.ChoiceField(
        widget=PlainSelect,
        required=False,
        choices=[("", "Blockers or not"), ("yes", "Go-live blockers"), ("no", "Not blockers")],
    )
    plan = forms.ChoiceField(
        widget=PlainSelect,
        label="Mitigation plan",
        required=False,
        choices=[("", "Any plan"), ("missing", "No mitigation plan")],
    )
    owner = forms.TypedChoiceField(
        widget=PlainSelect, required=False, coerce=int, empty_value=None, choices=()
    )
    area = forms.ChoiceField(widget=PlainSelect, required=False, choices=())
    review = forms.TypedChoiceField(
        widget=PlainSelect, required=False, coerce=int, empty_value=None, choices=()
    )
    likelihood = forms.TypedChoiceField(
        widget=PlainSelect,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any"), *RATING_CHOICES],
    )
    impact = forms.TypedChoiceField(
        widget=PlainSelect,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any"), *RATING_CHOICES],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owners=(), areas=(), reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Any owner"), *owners]
        self.fields["area"].choices = [("", "Any area"), *areas]
        self.fields["review"].choices = [("", "Any review"), *reviews]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def filters(self):
        """The cleaned filters; invalid values are dropped rather than failing the page."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name != "sort"
        }
