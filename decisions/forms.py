from django import forms

from core.forms import DateInput
from decisions.models import Outcome, Vote


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
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
