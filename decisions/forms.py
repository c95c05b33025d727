from django import forms

from core.forms import DateInput
from decisions.models import Outcome, Vote


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """The decision, and when it would override the gate or the votes, why and a confirmation
    that names what is overridden (``overridden``: the sentences the page shows)."""

    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every decision says why: it is read later by people who were not there.",
    )  # fmt: skip
    what_must_change = forms.CharField(
        label="What must change (no-go)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_go_live_date = forms.DateField(
        label="Proposed new go-live date (no-go; leave empty for “to be decided”)",
        required=False, widget=DateInput(),
        help_text="A new date moves the project's planned go-live date; the re-plan is kept.",
    )  # fmt: skip
    override_reason = forms.CharField(
        label="Why a go stands anyway (override)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_override = forms.MultipleChoiceField(
        label="I record a go or conditional go against",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, overridden=(), may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        if overridden and may_override:
            self.fields["confirm_override"].choices = [(text, text) for text in overridden]
        else:
            del self.fields["override_reason"]
            del self.fields["confirm_override"]
        if overridden and not may_override:
            # Only the project manager may override: offer the no-go alone.
            self.fields["outcome"].choices = [(Outcome.NO_GO, Outcome.NO_GO.label)]


class MemberChoiceField(forms.ChoiceField):
    """One of the members passed in (already loaded: no query per rendered form)."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_members(members)

    def set_members(self, members):
        self.members = {str(user.pk): user for user in members}
        self.choices = [
            ("", "---------"),
            *((key, str(user)) for key, user in self.members.items()),
        ]

    def clean(self, value):
        value = super().clean(value)
        return self.members.get(value) if value else None


class ConditionForm(forms.Form):
    description = forms.CharField(label="Condition", max_length=1000)
    owner = MemberChoiceField()
    due_date = forms.DateField(widget=DateInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].set_members(members)


def condition_formset(data=None, *, members):
    members = list(members)
    formset_class = forms.formset_factory(ConditionForm, extra=3, max_num=10)
    return formset_class(data, prefix="condition", form_kwargs={"members": members})
