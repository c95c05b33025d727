"""Forms of the run pages: a mark of a step, a correction of its time."""

from django import forms

from core.calendar import MAX_DURATION_MINUTES
from core.forms import DateTimeInput
from cutover.forms import LocalTimesMixin, local_input
from cutover.services.runs import MARKS


class MarkForm(forms.Form):
    """One click on a row: the mark, an optional note, and the row the person saw."""

    kind = forms.ChoiceField(choices=[(kind.value, kind.label) for kind in MARKS])
    note = forms.CharField(required=False, max_length=2000)
    # The id of the step's last event on the person's screen (0: none): the version rule.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class CorrectionForm(LocalTimesMixin, forms.Form):
    """A new time for a recorded mark, typed in the plan's time zone, and why."""

    local_time_fields = ("at",)

    at = forms.DateTimeField(label="When it really happened", widget=DateTimeInput())
    note = forms.CharField(
        label="Why the time changes", max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. started before the call; noted late"}),
    )  # fmt: skip

    def __init__(self, *args, time_zone, event_at=None, **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)
        if event_at is not None and not self.is_bound:
            self.initial["at"] = local_input(event_at, time_zone)
        self.fields["at"].help_text = f"In {time_zone}."


class RehearsalForm(LocalTimesMixin, forms.Form):
    """A rehearsal booked ahead: its start (in the plan's time zone), duration and place."""

    local_time_fields = ("starts_at",)

    starts_at = forms.DateTimeField(label="Starts at", widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=15, max_value=MAX_DURATION_MINUTES, initial=240
    )
    location = forms.CharField(
        max_length=300, required=False, help_text="Room, bridge line or the meeting link."
    )

    def __init__(self, *args, time_zone, rehearsal=None, **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)
        if rehearsal is not None and not self.is_bound:
            self.initial.update(
                starts_at=local_input(rehearsal.starts_at, time_zone),
                duration_minutes=rehearsal.duration_minutes,
                location=rehearsal.location,
            )
        self.fields["starts_at"].help_text = f"In {time_zone}."
