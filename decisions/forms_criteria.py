"""Forms of the go / no-go criteria settings page."""

from django import forms

from decisions.criteria import METRIC_CHOICES
from decisions.models import Comparator

# Values fit the database's integer column.
LARGEST = 1_000_000_000


class ThresholdCriterionForm(forms.Form):
    metric = forms.ChoiceField(label="Count", choices=METRIC_CHOICES)
    comparator = forms.ChoiceField(label="Must be", choices=Comparator.choices)
    target = forms.IntegerField(label="Number", min_value=0, max_value=LARGEST)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AttestedCriterionForm(forms.Form):
    label = forms.CharField(
        label="What the team attests", max_length=200,
        help_text="For example “Severity-1 UAT defects open”.",
    )  # fmt: skip
    comparator = forms.ChoiceField(label="Must be", choices=Comparator.choices)
    target = forms.IntegerField(label="Number", min_value=0, max_value=LARGEST)
    max_age_days = forms.IntegerField(
        label="Counts as missing after (days)", min_value=1, max_value=3650, required=False,
        help_text="Leave empty for a value that stays current.",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AttestationForm(forms.Form):
    value = forms.IntegerField(label="Value", min_value=-LARGEST, max_value=LARGEST)
    evidence = forms.CharField(
        label="Evidence", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the value comes from: a report, a query, a meeting.",
    )  # fmt: skip
    evidence_link = forms.URLField(label="Link to the evidence", required=False, max_length=500)
