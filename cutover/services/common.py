"""What every cutover write shares: who may do it, the lock, the version rule, history.

Every write locks its plan version's row first, so writes to one version run one after the
other (the cycle check of a new dependency sees every other dependency). A version that
someone signed (approved or rejected), or that a rehearsal ran, is frozen: a change copies
it into the next version and applies there; the frozen one stays readable, superseded.
"""

import datetime
import zoneinfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ConflictError
from cutover.models import (
    STANDING_DECISIONS,
    PlanChange,
    PlanSignOff,
    PlanStatus,
    PlanVersion,
    Step,
    StepDependency,
)
from projects import permissions
from projects.selectors import project_access

WHAT = "the cutover plan"


def access_of(acting_user, project):
    return project_access(user=acting_user, project=project)


def require_plan_editor(acting_user, project):
    access = access_of(acting_user, project)
    if not permissions.can_edit_cutover_plan(access):
        raise PermissionDenied(
            "Only the project manager and members holding the cutover manager's role edit "
            "the cutover plan."
        )
    return access


def lock(plan_version):
    return (
        PlanVersion.objects.select_for_update()
        .select_related("plan__project")
        .get(pk=plan_version.pk)
    )


def current_version_of(plan):
    return plan.versions.exclude(status=PlanStatus.SUPERSEDED).select_related("created_by").get()


def refuse_if_superseded(locked):
    """An edit of a version that a newer one replaced is a conflict with whoever made it."""
    if locked.status != PlanStatus.SUPERSEDED:
        return
    current = current_version_of(locked.plan)
    raise ConflictError(
        current=current, current_version=current.version, what=WHAT,
        changed_by=current.created_by, pronoun="it",
    )  # fmt: skip


def is_frozen(locked):
    """Signed by someone (a standing approval or rejection), or used by a run."""
    signed = locked.signoffs.filter(
        superseded_at__isnull=True, decision__in=STANDING_DECISIONS
    ).exists()
    return signed or locked.runs.exists()


def local_times(changes, before, after, time_zone):
    """Show the times of ``changes`` in the plan's time zone ("Sat 7 Mar 2026 22:00")
    instead of the stored UTC; ``before`` and ``after`` hold the raw values by field."""
    tz = zoneinfo.ZoneInfo(time_zone)

    def shown(value):
        if not value:
            return ""
        local = value.astimezone(tz)
        return f"{local:%a} {local.day} {local:%b %Y %H:%M}"

    for name in changes:
        if isinstance(before.get(name), datetime.datetime) or isinstance(
            after.get(name), datetime.datetime
        ):
            changes[name] = [shown(before.get(name)), shown(after.get(name))]
    return changes


def record(plan_version, acting_user, changes, *, note="", step_number=None):
    return PlanChange.objects.create(
        plan_version=plan_version, user=acting_user, version=plan_version.version,
        changes=changes, note=note[:300], step_number=step_number,
    )  # fmt: skip


def touch(plan_version, acting_user):
    """Count one more change of the version's content (sign-offs name the count they saw)."""
    plan_version.version += 1
    plan_version.updated_at = timezone.now()
    plan_version.updated_by = acting_user
    plan_version.save(update_fields=["version", "updated_at", "updated_by"])


def writable(locked, acting_user):
    """The version a change goes into: ``locked`` itself, or its copy when it is frozen.

    Returns (version, {old step pk: new step}) — the map is empty when nothing was copied.
    """
    refuse_if_superseded(locked)
    if not is_frozen(locked):
        return locked, {}
    return copy_version(locked, acting_user)


def copy_version(old, acting_user):
    """The next version: the same window, settings, steps and dependencies, unsigned."""
    now = timezone.now()
    signers = sorted(
        {
            str(record.signer)
            for record in old.signoffs.filter(
                superseded_at__isnull=True, decision__in=STANDING_DECISIONS
            ).select_related("signer")
        }
    )
    old.status = PlanStatus.SUPERSEDED
    old.save(update_fields=["status"])
    PlanSignOff.objects.filter(plan_version=old, superseded_at__isnull=True).update(
        superseded_at=now
    )
    number = max(old.plan.versions.values_list("number", flat=True)) + 1
    new = PlanVersion.objects.create(
        plan=old.plan, number=number, based_on=old,
        window_start=old.window_start, window_end=old.window_end, time_zone=old.time_zone,
        buffer_minutes=old.buffer_minutes, point_of_no_return_at=old.point_of_no_return_at,
        rollback_deadline=old.rollback_deadline, created_by=acting_user, created_at=now,
        updated_at=now, updated_by=acting_user,
    )  # fmt: skip
    new.plan = old.plan  # keep the loaded project
    old_steps = list(old.steps.prefetch_related("checkpoint_approvers"))
    copies = Step.objects.bulk_create(
        Step(
            plan_version=new,
            number=step.number,
            title=step.title,
            instructions=step.instructions,
            category=step.category,
            owner_id=step.owner_id,
            backup_owner_id=step.backup_owner_id,
            duration_minutes=step.duration_minutes,
            verification=step.verification,
            fixed_start=step.fixed_start,
            is_checkpoint=step.is_checkpoint,
            checkpoint_criteria=step.checkpoint_criteria,
            is_rollback=step.is_rollback,
            updated_at=now,
            updated_by=acting_user,
        )
        for step in old_steps
    )
    mapping = {step.pk: copy for step, copy in zip(old_steps, copies, strict=True)}
    linked = []
    for step in old_steps:
        if step.rollback_step_id:
            mapping[step.pk].rollback_step = mapping[step.rollback_step_id]
            linked.append(mapping[step.pk])
    Step.objects.bulk_update(linked, ["rollback_step"])
    Approver = Step.checkpoint_approvers.through
    Approver.objects.bulk_create(
        Approver(step_id=mapping[step.pk].pk, user_id=user.pk)
        for step in old_steps
        for user in step.checkpoint_approvers.all()
    )
    StepDependency.objects.bulk_create(
        StepDependency(
            plan_version=new,
            predecessor=mapping[link.predecessor_id],
            successor=mapping[link.successor_id],
        )
        for link in old.dependencies.all()
    )
    if old.point_of_no_return_step_id:
        new.point_of_no_return_step = mapping[old.point_of_no_return_step_id]
        new.save(update_fields=["point_of_no_return_step"])
    why = f"signed by {', '.join(signers)}" if signers else "used by a rehearsal"
    record(
        new, acting_user, {"version": [str(old.number), str(new.number)]},
        note=f"Version {new.number} made from version {old.number}, which was {why}; "
        f"version {old.number} stays readable and its sign-offs stay with it.",
    )  # fmt: skip
    return new, mapping
