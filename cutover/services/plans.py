"""Creating a project's cutover plan and editing a version's window and settings."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ConflictError
from core.history import apply_changes
from cutover.models import CutoverPlan, PlanStatus, PlanVersion, Step
from projects.models import SignoffRole

from .common import (
    WHAT,
    local_times,
    lock,
    record,
    refuse_if_superseded,
    require_plan_editor,
    touch,
    writable,
)
from .signoffs import refresh_status

SETTINGS_FIELDS = (
    "window_start", "window_end", "time_zone", "buffer_minutes", "point_of_no_return_step",
    "point_of_no_return_at", "rollback_deadline",
)  # fmt: skip
MAX_WINDOW_DAYS = 14
MAX_BUFFER_MINUTES = 7 * 24 * 60


def _check_roles(signoff_roles):
    roles = list(dict.fromkeys(signoff_roles or ()))
    unknown = sorted(set(roles) - set(SignoffRole.values))
    if unknown:
        raise ValidationError({"signoff_roles": f"Unknown role(s): {', '.join(unknown)}."})
    if not roles:
        raise ValidationError(
            {"signoff_roles": "Choose at least one stakeholder role that signs the plan off."}
        )
    return roles


def _aware(value, name, label):
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValidationError({name: f"The {label} needs a time zone."})


def _check_settings(values, *, steps_by_number=None):
    """Raise ValidationError (by field) for a window or settings that cannot be."""
    errors = {}
    start, end = values["window_start"], values["window_end"]
    for name, label in (("window_start", "window's opening"), ("window_end", "window's close"),
                        ("point_of_no_return_at", "point of no return"),
                        ("rollback_deadline", "rollback deadline")):  # fmt: skip
        try:
            _aware(values.get(name), name, label)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if start is None:
        errors["window_start"] = "Give the time the cutover window opens."
    if end is None:
        errors["window_end"] = "Give the time the cutover window closes."
    if start and end:
        if end <= start:
            errors["window_end"] = "The window must close after it opens."
        elif (end - start).days >= MAX_WINDOW_DAYS:
            errors["window_end"] = f"A cutover window is shorter than {MAX_WINDOW_DAYS} days."
    if values.get("time_zone") not in zoneinfo.available_timezones():
        errors["time_zone"] = "Choose a time zone such as Europe/London."
    buffer = values.get("buffer_minutes")
    if buffer is None or not 0 <= int(buffer) <= MAX_BUFFER_MINUTES:
        errors["buffer_minutes"] = f"The buffer is 0 to {MAX_BUFFER_MINUTES} minutes."
    ponr_step, ponr_at = values.get("point_of_no_return_step"), values.get("point_of_no_return_at")
    if ponr_step is not None and ponr_at is not None:
        errors["point_of_no_return_at"] = "The point of no return is a step or a time, not both."
    if ponr_step is not None:
        step = (steps_by_number or {}).get(ponr_step)
        if step is None:
            errors["point_of_no_return_step"] = f"There is no step {ponr_step} in this plan."
        elif step.is_rollback:
            errors["point_of_no_return_step"] = (
                f"Step {ponr_step} is a rollback step; the point of no return is a step of the "
                "forward plan."
            )
    if start and end and not errors.get("window_end"):
        for name, label in (("point_of_no_return_at", "point of no return"),
                            ("rollback_deadline", "rollback deadline")):  # fmt: skip
            moment = values.get(name)
            if moment is not None and not start <= moment <= end:
                errors[name] = f"The {label} is inside the window."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(
    *, project, acting_user, window_start, window_end, time_zone="Europe/London",
    buffer_minutes=120, signoff_roles=(), point_of_no_return_at=None, rollback_deadline=None,
):  # fmt: skip
    """The project's cutover plan with its first version (a draft without steps)."""
    require_plan_editor(acting_user, project)
    if CutoverPlan.objects.select_for_update().filter(project=project).exists():
        raise ValidationError("This project already has a cutover plan.")
    roles = _check_roles(signoff_roles)
    values = {
        "window_start": window_start, "window_end": window_end, "time_zone": time_zone,
        "buffer_minutes": buffer_minutes, "point_of_no_return_at": point_of_no_return_at,
        "rollback_deadline": rollback_deadline,
    }  # fmt: skip
    _check_settings(values)
    plan = CutoverPlan.objects.create(project=project, signoff_roles=roles, created_by=acting_user)
    version = PlanVersion.objects.create(
        plan=plan, number=1, created_by=acting_user, updated_by=acting_user, **values
    )
    record(version, acting_user, {"plan": ["", "created"]}, note="Cutover plan created.")
    return version


@transaction.atomic
def plan_update(*, plan_version, acting_user, version, **fields):
    """Change the window or settings of a version edited from ``version``.

    A conflict with someone's change of the settings since ``version`` raises ConflictError
    (changes to steps do not: they do not touch these fields). A frozen version is copied
    into the next one first. ``point_of_no_return_step`` is a step number. Returns the
    version changed.
    """
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = lock(plan_version)
    require_plan_editor(acting_user, locked.plan.project)
    refuse_if_superseded(locked)
    _refuse_stale_settings(locked, version)
    steps_by_number = {step.number: step for step in locked.steps.all()}
    values = {name: getattr(locked, name) for name in SETTINGS_FIELDS}
    values["point_of_no_return_step"] = _ponr_number(locked)
    values.update(fields)
    _check_settings(values, steps_by_number=steps_by_number)
    if not _differs(locked, fields):
        return locked
    target, _ = writable(locked, acting_user)
    wanted = dict(fields)
    if wanted.get("point_of_no_return_step") is not None:
        wanted["point_of_no_return_step"] = Step.objects.get(
            plan_version=target, number=wanted["point_of_no_return_step"]
        )
    before = {name: getattr(target, name) for name in wanted}
    changes = apply_changes(target, wanted)
    if not changes:
        return target
    local_times(changes, before, wanted, target.time_zone)
    target.save()
    touch(target, acting_user)
    record(target, acting_user, changes)
    return target


def _ponr_number(version):
    step = version.point_of_no_return_step if version.point_of_no_return_step_id else None
    return step.number if step else None


def _differs(locked, wanted):
    for name, value in wanted.items():
        current = (
            _ponr_number(locked) if name == "point_of_no_return_step" else getattr(locked, name)
        )
        if current != value:
            return True
    return False


def _refuse_stale_settings(locked, version):
    if version is None or int(version) == locked.version:
        return
    since = list(
        locked.changes.filter(version__gt=int(version), step_number__isnull=True)
        .select_related("user")
        .order_by("version")
    )
    if since:
        raise ConflictError(
            current=locked, current_version=locked.version, what=WHAT, changes=since
        )


@transaction.atomic
def plan_set_signoff_roles(*, plan, acting_user, signoff_roles):
    """Choose the stakeholder roles whose approval signs the plan off."""
    plan = CutoverPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)
    require_plan_editor(acting_user, plan.project)
    roles = _check_roles(signoff_roles)
    if roles == list(plan.signoff_roles or []):
        return plan
    labels = dict(SignoffRole.choices)
    before = ", ".join(labels[role] for role in plan.signoff_roles or [])
    plan.signoff_roles = roles
    plan.save(update_fields=["signoff_roles", "updated_at"])
    current = plan.versions.exclude(status=PlanStatus.SUPERSEDED).get()
    current.plan = plan
    record(
        current, acting_user,
        {"sign-off roles": [before, ", ".join(labels[role] for role in roles)]},
    )  # fmt: skip
    refresh_status(current)
    return plan
