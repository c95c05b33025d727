"""Replacing a version's steps at once: from an imported run sheet, or from the typical 28
steps. All or nothing: a problem anywhere leaves the plan as it was."""

import functools
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cutover.models import Step, StepDependency
from cutover.runsheet import RowError, RunSheetError, RunSheetRow, parse_run_sheet
from projects.models import Membership, Role

from .common import lock, record, refuse_if_superseded, require_plan_editor, touch, writable
from .rehearsals import rehearsal_invitations_follow

TYPICAL_STEPS = Path(__file__).resolve().parent.parent / "data" / "typical-steps.yaml"


@functools.cache
def typical_steps():
    """The typical run sheet shipped in cutover/data (a list of dicts, see its header)."""
    with TYPICAL_STEPS.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["steps"]


def _members_by_email(project):
    return {
        user.email.lower(): user
        for user in User.objects.filter(memberships__project=project, is_active=True)
    }


def _resolve_people(rows, project):
    """{row line: (owner, backup owner)}; unknown e-mails are errors of their line."""
    members = _members_by_email(project)
    errors, people = [], {}
    for row in rows:
        found = []
        for name in ("owner_email", "backup_owner_email"):
            email = getattr(row, name)
            person = members.get(email) if email else None
            if email and person is None:
                errors.append(RowError(row.line, f"{name}: {email} is not a member of the project"))
            found.append(person)
        if found[0] is not None and found[0] == found[1]:
            errors.append(RowError(row.line, "backup_owner_email: the backup is the owner"))
        people[row.line] = tuple(found)
    return people, errors


def _check_window(rows, version):
    errors = []
    for row in rows:
        if row.fixed_start and not version.window_start <= row.fixed_start <= version.window_end:
            errors.append(RowError(row.line, "fixed_start: a fixed start is inside the window"))
    return errors


def _replace(target, rows, people, acting_user):
    now = timezone.now()
    target.steps.all().delete()  # their dependencies go with them
    steps = Step.objects.bulk_create(
        Step(
            plan_version=target,
            number=row.number,
            title=row.title,
            category=row.category,
            owner=people[row.line][0],
            backup_owner=people[row.line][1],
            duration_minutes=row.duration_minutes,
            verification=row.verification,
            instructions=row.instructions,
            fixed_start=row.fixed_start,
            is_checkpoint=row.is_checkpoint,
            checkpoint_criteria=row.checkpoint_criteria,
            is_rollback=row.is_rollback,
            updated_at=now,
            updated_by=acting_user,
        )
        for row in rows
    )
    by_number = {step.number: step for step in steps}
    linked = []
    for row, step in zip(rows, steps, strict=True):
        if row.rollback_step is not None:
            step.rollback_step = by_number[row.rollback_step]
            linked.append(step)
    Step.objects.bulk_update(linked, ["rollback_step"])
    StepDependency.objects.bulk_create(
        StepDependency(plan_version=target, predecessor=by_number[before], successor=step)
        for row, step in zip(rows, steps, strict=True)
        for before in row.predecessors
    )
    target.point_of_no_return_step = None
    target.save(update_fields=["point_of_no_return_step"])
    return steps


def _replace_steps(*, plan_version, acting_user, rows, people, note):
    locked = lock(plan_version)
    require_plan_editor(acting_user, locked.plan.project)
    refuse_if_superseded(locked)
    errors = _check_window(rows, locked)
    if errors:
        raise RunSheetError(errors)
    before = locked.steps.count()
    target, _ = writable(locked, acting_user)
    steps = _replace(target, rows, people, acting_user)
    touch(target, acting_user)
    rehearsal_invitations_follow(target.plan_id)
    record(target, acting_user, {"steps": [str(before), str(len(steps))]}, note=note)
    return target


@transaction.atomic
def runsheet_import(*, plan_version, acting_user, data, fmt, filename=""):
    """Replace the version's steps with a CSV or XLSX run sheet; raise RunSheetError with
    every problem by line, and change nothing, when anything is wrong."""
    require_plan_editor(acting_user, plan_version.plan.project)
    rows = parse_run_sheet(data=data, fmt=fmt, time_zone=plan_version.time_zone)
    people, errors = _resolve_people(rows, plan_version.plan.project)
    if errors:
        raise RunSheetError(errors)
    name = f" {filename}" if filename else ""
    return _replace_steps(
        plan_version=plan_version, acting_user=acting_user, rows=rows, people=people,
        note=f"Run sheet{name} imported: {len(rows)} steps.",
    )  # fmt: skip


def _role_holders(project):
    """The member who takes each stakeholder role's typical steps (the first by name)."""
    holders = {}
    memberships = Membership.objects.filter(project=project, user__is_active=True)
    for membership in memberships.select_related("user").order_by("user__full_name"):
        roles = list(membership.signoff_roles or [])
        if membership.role == Role.PROJECT_MANAGER:
            roles.append("project_manager")
        for role in roles:
            holders.setdefault(role, membership.user)
    return holders


@transaction.atomic
def steps_from_typical(*, plan_version, acting_user):
    """Fill an empty version with the typical 28 steps; each goes to a member holding its
    typical stakeholder role, where there is one."""
    require_plan_editor(acting_user, plan_version.plan.project)
    if plan_version.steps.exists():
        from django.core.exceptions import ValidationError

        raise ValidationError("The plan already has steps; the typical steps start an empty plan.")
    templates = typical_steps()
    numbers = {template["key"]: index for index, template in enumerate(templates, start=1)}
    holders = _role_holders(plan_version.plan.project)
    rows, people = [], {}
    for number, template in enumerate(templates, start=1):
        rows.append(
            RunSheetRow(
                line=number,
                number=number,
                title=template["title"],
                category=template["category"],
                duration_minutes=template["duration_minutes"],
                predecessors=sorted(numbers[key] for key in template.get("after", [])),
                is_checkpoint=bool(template.get("checkpoint")),
                checkpoint_criteria=template.get("checkpoint_criteria", ""),
                verification=template.get("verification", ""),
                instructions=template.get("instructions", ""),
                rollback_step=numbers.get(template.get("rollback")),
                is_rollback=bool(template.get("is_rollback")),
            )
        )
        people[number] = (holders.get(template.get("owner_role")), None)
    return _replace_steps(
        plan_version=plan_version, acting_user=acting_user, rows=rows, people=people,
        note="Started from the typical 28 steps.",
    )  # fmt: skip
