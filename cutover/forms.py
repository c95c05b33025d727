"""Forms of the cutover pages. Times are typed in the plan's time zone (not the site's)."""

import re
import zoneinfo

from django import forms
from django.utils import timezone

from core.forms import DateTimeInput
from cutover.models import PlanSignOff, StepCategory
from cutover.runsheet import IMPORT_MAX_BYTES
from projects.models import SignoffRole
from projects.selectors import member_users

NOT_A_MEMBER = "Choose a member of this project (the project manager adds people first)."
COMMON_TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def local_input(moment, time_zone):
    """A stored time as the datetime-local input shows it, in the plan's time zone."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")


def in_zone(moment, time_zone):
    """Django read a datetime-local value in the site's time zone; read it in the plan's."""
    if moment is None:
        return None
    naive = timezone.make_naive(moment) if timezone.is_aware(moment) else moment
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(time_zone))


class LocalTimesMixin:
    """Re-read the datetime fields in ``time_zone`` (the form's, or its chosen zone)."""

    local_time_fields = ()

    def zone(self, cleaned):
        return self.time_zone

    def clean(self):
        cleaned = super().clean()
        zone = self.zone(cleaned)
        if zone in zoneinfo.available_timezones():
            for name in self.local_time_fields:
                if cleaned.get(name) is not None:
                    cleaned[name] = in_zone(cleaned[name], zone)
        return cleaned


class PlanForm(LocalTimesMixin, forms.Form):
    """The window and settings of a plan version, and the roles that sign it off."""

    local_time_fields = ("window_start", "window_end", "point_of_no_return_at", "rollback_deadline")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    window_start = forms.DateTimeField(label="Window opens", widget=DateTimeInput())
    window_end = forms.DateTimeField(label="Window closes", widget=DateTimeInput())
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in COMMON_TIME_ZONES], initial="Europe/London",
        help_text="The times on this page and on the run sheet are in this time zone.",
    )  # fmt: skip
    buffer_minutes = forms.IntegerField(
        label="Buffer wanted (minutes)", min_value=0, max_value=7 * 24 * 60, initial=120,
        help_text="Time to keep free between the planned end and the window's close.",
    )  # fmt: skip
    point_of_no_return_step = forms.IntegerField(
        label="Point of no return: step", required=False, min_value=1,
        help_text="Once this step starts, the plan no longer rolls back. Or give a time.",
    )  # fmt: skip
    point_of_no_return_at = forms.DateTimeField(
        label="… or a time", required=False, widget=DateTimeInput()
    )
    rollback_deadline = forms.DateTimeField(
        label="Rollback deadline", required=False, widget=DateTimeInput(),
        help_text="The last moment a rollback can start and still finish inside the window.",
    )  # fmt: skip
    signoff_roles = forms.MultipleChoiceField(
        label="Signed off by", choices=SignoffRole.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Every role chosen must approve a version for it to count as signed off.",
    )  # fmt: skip

    def __init__(self, *args, version=None, **kwargs):
        if version is not None:
            zone = version.time_zone
            kwargs.setdefault(
                "initial",
                {
                    "version": version.version,
                    "window_start": local_input(version.window_start, zone),
                    "window_end": local_input(version.window_end, zone),
                    "time_zone": zone,
                    "buffer_minutes": version.buffer_minutes,
                    "point_of_no_return_step": (
                        version.point_of_no_return_step.number
                        if version.point_of_no_return_step_id
                        else None
                    ),
                    "point_of_no_return_at": local_input(version.point_of_no_return_at, zone),
                    "rollback_deadline": local_input(version.rollback_deadline, zone),
                    "signoff_roles": version.plan.signoff_roles,
                },
            )
        else:
            kwargs.setdefault(
                "initial",
                {"signoff_roles": ["project_manager", "business_owner", "cutover_manager"]},
            )
        super().__init__(*args, **kwargs)

    def zone(self, cleaned):
        return cleaned.get("time_zone")

    def settings(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("signoff_roles", None)
        return data


def parse_numbers(text):
    """ "3, 5; 7" -> [3, 5, 7]; raises ValidationError for anything else."""
    parts = [part for part in re.split(r"[;,\s]+", text or "") if part]
    bad = [part for part in parts if not part.isdigit()]
    if bad:
        raise forms.ValidationError(
            f"“{bad[0][:20]}” is not a step number. Write the numbers, e.g. 3, 5."
        )
    return sorted({int(part) for part in parts})


class MemberChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": NOT_A_MEMBER})
        super().__init__(queryset=None, **kwargs)


class StepForm(LocalTimesMixin, forms.Form):
    """A step, whole (for those who edit the plan)."""

    local_time_fields = ("fixed_start",)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.IntegerField(
        min_value=1, required=False, help_text="Leave empty for the next number."
    )
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=StepCategory.choices)
    owner = MemberChoiceField(required=False)
    backup_owner = MemberChoiceField(required=False)
    duration_minutes = forms.IntegerField(
        label="Planned duration (minutes)", min_value=0, max_value=7 * 24 * 60, initial=30,
        help_text="0 makes a milestone.",
    )  # fmt: skip
    predecessors = forms.CharField(
        required=False, label="Waits for steps",
        help_text="Step numbers, e.g. 3, 5: this step starts when they have all ended.",
    )  # fmt: skip
    fixed_start = forms.DateTimeField(
        label="Not before", required=False, widget=DateTimeInput(),
        help_text="A fixed start, in the plan's time zone (optional).",
    )  # fmt: skip
    verification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How we know the step worked.",
    )  # fmt: skip
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_checkpoint = forms.BooleanField(label="Go/no-go checkpoint", required=False)
    checkpoint_criteria = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What must be true to go on.",
    )  # fmt: skip
    checkpoint_approvers = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Checkpoint approvers", help_text="The members who decide: go on or roll back.",
    )  # fmt: skip
    is_rollback = forms.BooleanField(
        label="Rollback step", required=False,
        help_text="Runs only if the cutover is rolled back; not part of the forward plan.",
    )  # fmt: skip
    rollback_step = forms.IntegerField(
        label="Undone by rollback step", min_value=1, required=False,
        help_text="The number of the rollback step that undoes this one.",
    )  # fmt: skip

    def __init__(self, *args, project, time_zone, step=None, predecessors=(), **kwargs):
        self.time_zone = time_zone
        if step is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": step.version, "number": step.number, "title": step.title,
                    "category": step.category, "owner": step.owner_id,
                    "backup_owner": step.backup_owner_id,
                    "duration_minutes": step.duration_minutes,
                    "predecessors": ", ".join(str(n) for n in predecessors),
                    "fixed_start": local_input(step.fixed_start, time_zone),
                    "verification": step.verification, "instructions": step.instructions,
                    "is_checkpoint": step.is_checkpoint,
                    "checkpoint_criteria": step.checkpoint_criteria,
                    "checkpoint_approvers": [u.pk for u in step.checkpoint_approvers.all()],
                    "is_rollback": step.is_rollback,
                    "rollback_step": step.rollback_step.number if step.rollback_step_id else None,
                },
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["fixed_start"].help_text = f"A fixed start, in {time_zone} (optional)."
        members = member_users(project)
        for name in ("owner", "backup_owner", "checkpoint_approvers"):
            self.fields[name].queryset = members
        if step is not None:
            del self.fields["number"]  # moved with the move form

    def clean_predecessors(self):
        return parse_numbers(self.cleaned_data.get("predecessors"))

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["checkpoint_approvers"] = list(data.get("checkpoint_approvers") or [])
        return data


class StepNotesForm(forms.Form):
    """What a step's owner changes on their own step."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    verification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How we know the step worked.",
    )  # fmt: skip

    def __init__(self, *args, step, **kwargs):
        kwargs.setdefault(
            "initial",
            {"version": step.version, "instructions": step.instructions,
             "verification": step.verification},
        )  # fmt: skip
        super().__init__(*args, **kwargs)

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in ("instructions", "verification")}


class MoveForm(forms.Form):
    number = forms.IntegerField(min_value=1, label="Move to position")


class PlanSignOffForm(forms.Form):
    """Approve or reject the version as seen (``version``: its change count on the page)."""

    decision = forms.ChoiceField(
        choices=[(PlanSignOff.Decision.APPROVE, "Approve"), (PlanSignOff.Decision.REJECT, "Reject")],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    as_role = forms.ChoiceField(choices=SignoffRole.choices, required=False, label="Sign as")
    version = forms.IntegerField(widget=forms.HiddenInput)


class RunSheetImportForm(forms.Form):
    file = forms.FileField(
        label="Run sheet (CSV or XLSX)",
        help_text="One row per step with the columns of an export; it replaces the plan's steps.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB; a run sheet never is."
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        return upload

    @property
    def format(self):
        return "xlsx" if self.cleaned_data["file"].name.lower().endswith(".xlsx") else "csv"
