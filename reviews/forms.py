from django import forms

from reviews.models import Project, Scope


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class ProjectForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="Apps in scope",
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Checklist items that apply to every project are always included.",
    )

    class Meta:
        model = Project
        fields = [
            "name", "customer", "description", "go_live_date", "scopes", "phase",
            "reminder_due_soon_days", "escalation_after_days", "reminders_paused",
            "vote_rule", "votes_required",
        ]  # fmt: skip
        widgets = {"go_live_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("vote_rule") == "at_least" and not cleaned.get("votes_required"):
            self.add_error("votes_required", "Say how many approver votes a decision needs.")
        return cleaned


class ReviewForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=None, label="Checklist", empty_label=None,
        help_text="Items that apply to the project's apps in scope are copied into the review.",
    )  # fmt: skip
    title = forms.CharField(max_length=200)
    scheduled_date = forms.DateField(required=False, widget=DateInput())
    facilitator = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, members, **kwargs):
        from reviews.models import ChecklistTemplate

        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(active=True).order_by(
            "name"
        )
        self.fields["facilitator"].queryset = members


class ReviewEditForm(forms.ModelForm):
    class Meta:
        from reviews.models import Review

        model = Review
        fields = ["title", "scheduled_date", "status", "facilitator"]
        widgets = {"scheduled_date": DateInput()}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = members


class ItemForm(forms.Form):
    """The response to one item. ``version`` is the item's version the edit started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=())
    response = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=DateInput())
    is_blocker = forms.BooleanField(label="Go-live blocker", required=False)
    blocker_reason = forms.CharField(
        label="Why the blocker flag changes", required=False, max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "Needed only when you change the blocker flag"}),
    )  # fmt: skip

    def __init__(self, *args, item, members, **kwargs):
        from reviews.models import ItemStatus

        kwargs.setdefault(
            "initial",
            {
                "version": item.version,
                "status": item.status,
                "response": item.response,
                "owner": item.owner_id,
                "due_date": item.due_date,
                "is_blocker": item.is_blocker,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["status"].choices = ItemStatus.choices
        self.fields["owner"].queryset = members
        prefix = f"item-{item.pk}"
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"{prefix}-{name}")

    def changes(self):
        """Only the fields whose value differs from the item (blocker reason rides along)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if bool(data["is_blocker"]) == bool(self.item.is_blocker):
            data.pop("blocker_reason")
            data.pop("is_blocker")
        return data


class EvidenceForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    file = forms.FileField(required=False)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            raise forms.ValidationError("Give either a link or a file (one at a time).")
        return cleaned


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class WorkshopForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(label="Starts at", widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=15, max_value=600, initial=90
    )
    location = forms.CharField(
        max_length=300, required=False, help_text="Room, or the meeting link."
    )
    facilitator = forms.ModelChoiceField(queryset=None, required=False)
    agenda = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The areas to cover, in checklist order.",
    )  # fmt: skip
    invitees = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Invite members"
    )
    guests = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Named guests, one per line: Name <e-mail>",
    )  # fmt: skip

    def __init__(self, *args, review, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = members
        self.fields["invitees"].queryset = members
        self.fields["agenda"].choices = [
            (s.key, s.title) for s in review.sections.order_by("order")
        ]

    def clean_guests(self):
        from reviews.services.workshops import parse_guests

        try:
            return parse_guests(self.cleaned_data["guests"])
        except forms.ValidationError as error:  # raised with a field dict by the service
            raise forms.ValidationError(error.messages) from error


class MinutesForm(forms.Form):
    minutes_version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[("go", "Go"), ("no_go", "No-go"), ("abstain", "Abstain")], widget=forms.RadioSelect
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("go", "Go"), ("conditional_go", "Conditional go"), ("no_go", "No-go")],
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    what_must_change = forms.CharField(
        label="What must change (no-go)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_go_live_date = forms.DateField(
        label="Proposed new go-live date (no-go; leave empty for “to be decided”)",
        required=False, widget=DateInput(),
    )  # fmt: skip


class ConditionForm(forms.Form):
    description = forms.CharField(label="Condition", max_length=1000)
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=DateInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members


def condition_formset(data=None, *, members):
    formset_class = forms.formset_factory(ConditionForm, extra=3, max_num=10)
    return formset_class(data, prefix="condition", form_kwargs={"members": members})
