from django import forms

from notifications.models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice of delivery per kind of notification."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, delivery in preferences:
            self.fields[kind] = forms.ChoiceField(
                label=Kind(kind).label,
                choices=Delivery.choices,
                initial=delivery,
                widget=forms.RadioSelect,
            )
