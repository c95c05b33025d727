from django import forms

from accounts.models import User


class RecipientsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, user):
        return f"{user.full_name or user.email} <{user.email}>"


class SummaryRequestForm(forms.Form):
    recipients = RecipientsField(queryset=User.objects.none(), required=False)
    send = forms.BooleanField(
        label="E-mail it to the chosen members as soon as it is ready", required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = members

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send") and not cleaned.get("recipients"):
            self.add_error("recipients", "Choose at least one member to e-mail it to.")
        return cleaned


class SummarySendForm(forms.Form):
    recipients = RecipientsField(queryset=User.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = members
