from django import forms

from core.calendar import MAX_DURATION_MINUTES
from core.forms import DateInput, DateTimeInput
from reviews.models import ChecklistTemplate, ItemStatus, Review, SignOff
from reviews.services.workshops import check_guest_email, check_workshop_time


class ReviewForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=None, label="Checklist", empty_label=None,
        help_text="Items that apply to the project's apps in scope are copied into the review.",
    )  # fmt: skip
    title = forms.CharField(max_length=200)
    scheduled_date = forms.DateField(required=False, widget=DateInput())
    facilitator = forms.ModelChoiceField(queryset=None, required=False)
    carry_from = forms.ModelChoiceField(
        queryset=Review.objects.none(), required=False, label="Start from",
        empty_label="Blank: every item not started",
        help_text="Starting from a previous review copies its responses, statuses, owners, due "
        "dates and evidence; each copied item is marked “to re-confirm”. Sign-offs are not copied.",
    )  # fmt: skip

    def __init__(self, *args, members, previous_reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(active=True).order_by(
            "name"
        )
        self.fields["facilitator"].queryset = members
        if previous_reviews is None:
            del self.fields["carry_from"]
        else:
            self.fields["carry_from"].queryset = previous_reviews


class ReviewEditForm(forms.ModelForm):
    class Meta:
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
    valid_until = forms.DateField(
        label="Valid until", required=False, widget=DateInput(),
        help_text="Optional: the day after, the evidence shows as expired and counts in the gate.",
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            raise forms.ValidationError("Give either a link or a file (one at a time).")
        return cleaned


class SignOffForm(forms.Form):
    """Approve or reject: nothing is chosen for the signer."""

    decision = forms.ChoiceField(
        choices=[(SignOff.Decision.APPROVE, "Approve"), (SignOff.Decision.REJECT, "Reject")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WorkshopForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(label="Starts at", widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=15, max_value=MAX_DURATION_MINUTES, initial=90
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
        help_text="Named guests, one per line: Name &lt;e-mail&gt;",
    )  # fmt: skip

    def __init__(self, *args, review, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = members
        self.fields["invitees"].queryset = members
        self.fields["agenda"].choices = [
            (s.key, s.title) for s in review.sections.order_by("order")
        ]

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        problem = check_workshop_time(starts_at, 90).get("starts_at")
        if problem:
            raise forms.ValidationError(problem)
        return starts_at

    def clean_guests(self):
        """Guests as typed, one per line: ``Name <e-mail>`` or ``Name``; (name, e-mail) pairs."""
        guests = []
        for number, line in enumerate(self.cleaned_data["guests"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, _, rest = line.partition("<")
            email = rest.rstrip(">").strip()
            if rest:
                try:
                    email = check_guest_email(email)
                except forms.ValidationError as error:
                    raise forms.ValidationError(f"Line {number}: {error.messages[0]}") from error
            guests.append((name.strip() or email, email))
        return guests


class MinutesForm(forms.Form):
    minutes_version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
