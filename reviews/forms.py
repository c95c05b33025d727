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
