"""Creating the support plan and editing its settings (time zone, hypercare, sign-off roles)."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import SignoffRole
from support.models import SupportPlan

from .common import changed, lock, record, refuse_if_stale, require_editor

MAX_HYPERCARE_WEEKS = 26


def _roles(signoff_roles):
    roles = list(dict.fromkeys(signoff_roles or ()))
    unknown = sorted(set(roles) - set(SignoffRole.values))
    if unknown:
        raise ValidationError({"signoff_roles": f"Unknown role(s): {', '.join(unknown)}."})
    if not roles:
        raise ValidationError(
            {"signoff_roles": "Choose at least one stakeholder role that signs the plan off."}
        )
    return roles


def _check(time_zone, hypercare_weeks):
    errors = {}
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = "Choose a time zone such as Europe/London."
    if hypercare_weeks is None or not 1 <= int(hypercare_weeks) <= MAX_HYPERCARE_WEEKS:
        errors["hypercare_weeks"] = f"Hypercare lasts 1 to {MAX_HYPERCARE_WEEKS} weeks."
    if errors:
        raise ValidationError(errors)


def _hours_json(rows):
    return [[day, f"{start:%H:%M}", f"{end:%H:%M}"] for day, start, end in rows]


@transaction.atomic
def support_plan_create(
    *, project, acting_user, signoff_roles, time_zone="Europe/London", hypercare_weeks=4,
    hypercare_hours=(),
):  # fmt: skip
    """The project's support plan (a draft without lines). ``hypercare_hours``: rows
    (weekday, start, end) every line must cover during hypercare."""
    require_editor(acting_user, project)
    if SupportPlan.objects.select_for_update().filter(project=project).exists():
        raise ValidationError("This project already has a support plan.")
    roles = _roles(signoff_roles)
    _check(time_zone, hypercare_weeks)
    plan = SupportPlan.objects.create(
        project=project, signoff_roles=roles, time_zone=time_zone,
        hypercare_weeks=hypercare_weeks, hypercare_hours=_hours_json(hypercare_hours),
        created_by=acting_user, updated_by=acting_user,
    )  # fmt: skip
    record(plan, acting_user, {"plan": ["", "created"]}, note="Support plan created.")
    return plan


@transaction.atomic
def support_plan_update(
    *, plan, acting_user, version, signoff_roles, time_zone, hypercare_weeks, hypercare_hours
):
    """Change the plan's settings, edited from ``version``."""
    locked = lock(plan)
    require_editor(acting_user, locked.project)
    refuse_if_stale(locked, version)
    roles = _roles(signoff_roles)
    _check(time_zone, hypercare_weeks)
    wanted = {
        "signoff_roles": roles, "time_zone": time_zone, "hypercare_weeks": int(hypercare_weeks),
        "hypercare_hours": _hours_json(hypercare_hours),
    }  # fmt: skip
    changes = {}
    for name, value in wanted.items():
        old = getattr(locked, name)
        if old != value:
            changes[name.replace("_", " ")] = [_shown(old), _shown(value)]
            setattr(locked, name, value)
    if not changes:
        return locked
    locked.save()
    changed(locked, acting_user, changes)
    return locked


def _shown(value):
    if isinstance(value, list):
        return ", ".join(
            "/".join(str(part) for part in item) if isinstance(item, list) else str(item)
            for item in value
        )
    return str(value)
