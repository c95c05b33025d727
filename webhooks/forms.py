"""Forms of the webhook pages."""

from django import forms

from webhooks.models import SUBSCRIBABLE_EVENTS, WebhookFormat


class WebhookForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Say where it posts, e.g. “Teams: Go-live channel”."
    )
    url = forms.URLField(
        label="URL", max_length=500, assume_scheme="https",
        help_text="The receiver's address (http or https), e.g. the incoming-webhook URL "
        "Teams or Slack gives you. Redirects are not followed.",
    )  # fmt: skip
    format = forms.ChoiceField(choices=WebhookFormat.choices, initial=WebhookFormat.GENERIC)
    events = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE_EVENTS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="What it is told about.",
    )  # fmt: skip

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http:// and https:// addresses receive webhooks.")
        return url


class DisableForm(forms.Form):
    reason = forms.CharField(
        max_length=250, required=False, help_text="Shown on the page, e.g. “Channel archived”."
    )
