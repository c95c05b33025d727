"""Steps of a plan version and their dependencies: add, edit, delete, move, link.

Steps refer to each other by number (predecessors, rollback step, point of no return): the
numbers are what people see on the run sheet, and they stay the same when a frozen version
is copied into the next one. Every change is refused whole with a ValidationError that
names the field (a loop of dependencies names the loop: "Step 12 → 14 → 12").
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError, refuse_if_stale
from core.history import apply_changes
from cutover.models import PlanStatus, Step, StepCategory, StepChange, StepDependency
from cutover.schedule import describe_cycle, path_exists
from projects import permissions
from projects.selectors import member_ids

from .common import (
    WHAT,
    access_of,
    current_version_of,
    local_times,
    lock,
    record,
    refuse_if_superseded,
    require_plan_editor,
    touch,
    writable,
)
from .rehearsals import rehearsal_invitations_follow

MODEL_FIELDS = (
    "title", "instructions", "category", "owner", "backup_owner", "duration_minutes",
    "verification", "fixed_start", "is_checkpoint", "checkpoint_criteria", "is_rollback",
)  # fmt: skip
# Given as step numbers or lists of them and people, not model fields.
LINK_FIELDS = ("rollback_step", "predecessors", "checkpoint_approvers")
STEP_FIELDS = MODEL_FIELDS + LINK_FIELDS
# What a step's owner may change on their own step.
NOTES_FIELDS = frozenset({"instructions", "verification"})
MAX_DURATION_MINUTES = 7 * 24 * 60
MAX_STEPS = 2_000
TEXT_FIELDS = frozenset({"title", "instructions", "verification", "checkpoint_criteria"})


class Sheet:
    """A version's steps and dependencies as numbers, for checking a change before it is made."""

    def __init__(self, plan_version):
        self.version = plan_version
        self.steps = {step.number: step for step in plan_version.steps.all()}
        by_pk = {step.pk: step.number for step in self.steps.values()}
        self.edges = [
            (by_pk[before], by_pk[after])
            for before, after in plan_version.dependencies.values_list(
                "predecessor_id", "successor_id"
            )
        ]
        self.members = member_ids(plan_version.plan.project)

    def predecessors_of(self, number):
        return sorted(before for before, after in self.edges if after == number)

    def loop_if_linked(self, number, predecessors):
        """The loop that ``predecessors`` -> ``number`` would close, as "Step 12 → 14 → 12"."""
        others = [(before, after) for before, after in self.edges if after != number]
        for before in predecessors:
            path = path_exists(others, number, before)
            if path:
                return describe_cycle([before, *path], label=lambda n: n)
        return None


def _normalise(values):
    for name in TEXT_FIELDS & set(values):
        values[name] = (values[name] or "").strip()
    if "predecessors" in values:
        values["predecessors"] = sorted({int(n) for n in values["predecessors"] or ()})
    if "checkpoint_approvers" in values:
        values["checkpoint_approvers"] = list(
            {user.pk: user for user in values["checkpoint_approvers"] or ()}.values()
        )
    return values


def _check(values, sheet, *, number):
    """Raise ValidationError (by field) unless ``values`` make a valid step ``number``."""
    errors = {}
    if not values.get("title"):
        errors["title"] = "Give the step a title."
    elif len(values["title"]) > 200:
        errors["title"] = "A title is at most 200 characters."
    if values.get("category") not in StepCategory.values:
        errors["category"] = "Choose a category."
    duration = values.get("duration_minutes")
    if duration is None or not 0 <= int(duration) <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = (
            f"The planned duration is 0 (a milestone) to {MAX_DURATION_MINUTES} minutes."
        )
    for name, label in (("owner", "owner"), ("backup_owner", "backup owner")):
        person = values.get(name)
        if person is not None and person.pk not in sheet.members:
            errors[name] = f"The {label} must be a member of the project."
    if values.get("owner") and values.get("owner") == values.get("backup_owner"):
        errors["backup_owner"] = "The backup owner is someone other than the owner."
    fixed = values.get("fixed_start")
    version = sheet.version
    if fixed is not None:
        if fixed.tzinfo is None:
            errors["fixed_start"] = "The fixed start needs a time zone."
        elif not version.window_start <= fixed <= version.window_end:
            errors["fixed_start"] = "A fixed start is inside the cutover window."
    if values.get("is_checkpoint"):
        if not values.get("checkpoint_criteria"):
            errors["checkpoint_criteria"] = (
                "Say what must be true to go on at this checkpoint (its criteria)."
            )
    elif values.get("checkpoint_approvers"):
        errors["checkpoint_approvers"] = "Only a checkpoint has approvers."
    outsiders = [u for u in values.get("checkpoint_approvers") or () if u.pk not in sheet.members]
    if outsiders:
        errors["checkpoint_approvers"] = "Checkpoint approvers must be members of the project."
    rollback = values.get("rollback_step")
    if rollback is not None:
        target = sheet.steps.get(rollback)
        if rollback == number:
            errors["rollback_step"] = "A step is not its own rollback step."
        elif target is None:
            errors["rollback_step"] = f"There is no step {rollback} in this plan."
        elif not target.is_rollback:
            errors["rollback_step"] = (
                f"Step {rollback} is not a rollback step; mark it as one first."
            )
        elif values.get("is_rollback"):
            errors["rollback_step"] = "A rollback step has no rollback step of its own."
    predecessors = values.get("predecessors") or []
    problem = _predecessor_problem(predecessors, sheet, number, bool(values.get("is_rollback")))
    if problem:
        errors["predecessors"] = problem
    if errors:
        raise ValidationError(errors)


def _predecessor_problem(predecessors, sheet, number, is_rollback):
    missing = [n for n in predecessors if n not in sheet.steps and n != number]
    if number in predecessors:
        return "A step cannot wait for itself."
    if missing:
        listed = ", ".join(str(n) for n in missing)
        return (
            f"There is no step {listed} in this plan."
            if len(missing) == 1
            else (f"There are no steps {listed} in this plan.")
        )
    mixed = [n for n in predecessors if sheet.steps[n].is_rollback != is_rollback]
    if mixed:
        if is_rollback:
            return (
                f"Step {mixed[0]} is in the forward plan; a rollback step waits only for other "
                "rollback steps."
            )
        return f"Step {mixed[0]} is a rollback step; a step of the forward plan cannot wait for it."
    if number in sheet.steps and sheet.steps[number].is_rollback != is_rollback:
        successors = [after for before, after in sheet.edges if before == number]
        if successors:
            return (
                f"Step {successors[0]} waits for this step; a step that others wait for "
                "cannot switch between the forward plan and the rollback."
            )
    loop = sheet.loop_if_linked(number, predecessors)
    if loop:
        return f"That would make a loop: {loop}. A step cannot wait, even indirectly, for itself."
    return None


def _link(target, step, predecessor_numbers):
    """Make ``step`` (of ``target``) wait for exactly these step numbers."""
    StepDependency.objects.filter(successor=step).delete()
    befores = Step.objects.filter(plan_version=target, number__in=predecessor_numbers)
    StepDependency.objects.bulk_create(
        StepDependency(plan_version=target, predecessor=before, successor=step)
        for before in befores
    )


def _rollback(target, number):
    return Step.objects.get(plan_version=target, number=number) if number is not None else None


@transaction.atomic
def step_add(*, plan_version, acting_user, number=None, **fields):
    """Add a step (by default numbered after the last); returns it."""
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Not a step field: {', '.join(sorted(unknown))}")
    locked = lock(plan_version)
    require_plan_editor(acting_user, locked.plan.project)
    refuse_if_superseded(locked)
    sheet = Sheet(locked)
    if len(sheet.steps) >= MAX_STEPS:
        raise ValidationError(f"A plan has at most {MAX_STEPS} steps.")
    values = {"category": StepCategory.DEPLOYMENT, "duration_minutes": 30, **fields}
    values = _normalise(values)
    number = int(number) if number else max(sheet.steps, default=0) + 1
    if number < 1:
        raise ValidationError({"number": "A step number is 1 or more."})
    if number in sheet.steps:
        raise ValidationError(
            {"number": f"There is already a step {number}; choose another number, or move "
                       "steps afterwards."}
        )  # fmt: skip
    _check(values, sheet, number=number)
    target, _ = writable(locked, acting_user)
    model_values = {name: values[name] for name in MODEL_FIELDS if name in values}
    step = Step.objects.create(
        plan_version=target, number=number, updated_by=acting_user,
        rollback_step=_rollback(target, values.get("rollback_step")), **model_values,
    )  # fmt: skip
    step.checkpoint_approvers.set(values.get("checkpoint_approvers") or [])
    _link(target, step, values.get("predecessors") or [])
    touch(target, acting_user)
    if step.owner_id or step.backup_owner_id:
        rehearsal_invitations_follow(target.plan_id)
    record(target, acting_user, {"step": ["", f"{number}: {step.title}"]},
           note=f"Step {number} added.", step_number=number)  # fmt: skip
    return step


def _current_values(step, sheet):
    values = {name: getattr(step, name) for name in MODEL_FIELDS}
    values["rollback_step"] = step.rollback_step.number if step.rollback_step_id else None
    values["predecessors"] = sheet.predecessors_of(step.number)
    values["checkpoint_approvers"] = list(step.checkpoint_approvers.all())
    return values


def _describe_people(people):
    return ", ".join(sorted(str(person) for person in people))


def _link_changes(before, after):
    changes = {}
    if before["predecessors"] != after["predecessors"]:
        changes["predecessors"] = [
            ", ".join(map(str, before["predecessors"])),
            ", ".join(map(str, after["predecessors"])),
        ]
    if before["rollback_step"] != after["rollback_step"]:
        changes["rollback step"] = [str(before["rollback_step"] or ""),
                                    str(after["rollback_step"] or "")]  # fmt: skip
    old_people = {u.pk for u in before["checkpoint_approvers"]}
    new_people = {u.pk for u in after["checkpoint_approvers"]}
    if old_people != new_people:
        changes["checkpoint approvers"] = [
            _describe_people(before["checkpoint_approvers"]),
            _describe_people(after["checkpoint_approvers"]),
        ]
    return changes


def _refuse_owner_editing_more(access, step, fields):
    if permissions.can_edit_cutover_plan(access):
        return
    if not permissions.can_edit_step_notes(access, step):
        raise PermissionDenied(
            "Only the cutover manager, the project manager and the step's owners change a step."
        )
    if set(fields) - NOTES_FIELDS:
        raise PermissionDenied(
            "As the step's owner you change its instructions and verification; the cutover "
            "manager changes the rest."
        )


def _refuse_if_step_superseded(locked, step):
    if locked.status != PlanStatus.SUPERSEDED:
        return
    current = current_version_of(locked.plan)
    same = current.steps.filter(number=step.number).first()
    raise ConflictError(
        current=same or current, current_version=(same or current).version, what=WHAT,
        changed_by=current.created_by,
    )  # fmt: skip


@transaction.atomic
def step_update(*, step, acting_user, version, **fields):
    """Change a step edited from its ``version``; returns the step as saved (in the next
    plan version when this one was frozen)."""
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Not a step field: {', '.join(sorted(unknown))}")
    locked = lock(step.plan_version)
    step = Step.objects.select_related("rollback_step").get(pk=step.pk)
    access = access_of(acting_user, locked.plan.project)
    _refuse_owner_editing_more(access, step, fields)
    _refuse_if_step_superseded(locked, step)
    refuse_if_stale(step, version, what=f"step {step.number}")
    sheet = Sheet(locked)
    before = _current_values(step, sheet)
    after = {**before, **_normalise(dict(fields))}
    _check(after, sheet, number=step.number)
    model_values = {name: after[name] for name in MODEL_FIELDS}
    changed_links = _link_changes(before, after)
    if not changed_links and all(before[n] == model_values[n] for n in MODEL_FIELDS):
        return step
    target, mapping = writable(locked, acting_user)
    target_step = mapping.get(step.pk, step)
    changes = apply_changes(target_step, model_values)
    local_times(changes, before, model_values, target.time_zone)
    changes.update(changed_links)
    target_step.rollback_step = _rollback(target, after["rollback_step"])
    target_step.version += 1
    target_step.updated_at = timezone.now()
    target_step.updated_by = acting_user
    target_step.save()
    if "checkpoint approvers" in changed_links:
        target_step.checkpoint_approvers.set(after["checkpoint_approvers"])
    if "predecessors" in changed_links:
        _link(target, target_step, after["predecessors"])
    StepChange.objects.create(
        step=target_step, user=acting_user, version=target_step.version, changes=changes
    )
    touch(target, acting_user)
    if any(before[name] != model_values[name] for name in ("owner", "backup_owner")):
        rehearsal_invitations_follow(target.plan_id)
    return target_step


@transaction.atomic
def step_delete(*, step, acting_user):
    """Remove a step and its dependencies; the version's history keeps what it was."""
    locked = lock(step.plan_version)
    require_plan_editor(acting_user, locked.plan.project)
    step = Step.objects.get(pk=step.pk)
    _refuse_if_step_superseded(locked, step)
    target, mapping = writable(locked, acting_user)
    doomed = mapping.get(step.pk, step)
    notes = []
    if target.point_of_no_return_step_id == doomed.pk:
        notes.append("it was the point of no return, which is now unset")
    undone = sorted(target.steps.filter(rollback_step=doomed).values_list("number", flat=True))
    if undone:
        notes.append(f"steps {', '.join(map(str, undone))} lost their rollback step")
    number, title = doomed.number, doomed.title
    doomed.delete()
    touch(target, acting_user)
    rehearsal_invitations_follow(target.plan_id)
    note = f"Step {number} removed" + (f"; {'; '.join(notes)}." if notes else ".")
    record(target, acting_user, {"step": [f"{number}: {title}", ""]}, note=note,
           step_number=number)  # fmt: skip
    return target


@transaction.atomic
def step_move(*, step, acting_user, number):
    """Move a step to position ``number`` of the run sheet; the steps are numbered 1..N again
    (the numbers people see follow the order)."""
    locked = lock(step.plan_version)
    require_plan_editor(acting_user, locked.plan.project)
    step = Step.objects.get(pk=step.pk)
    _refuse_if_step_superseded(locked, step)
    ordered = list(locked.steps.order_by("number"))
    number = int(number)
    if not 1 <= number <= len(ordered):
        raise ValidationError({"number": f"Choose a position from 1 to {len(ordered)}."})
    if [s.number for s in ordered] == list(range(1, len(ordered) + 1)) and step.number == number:
        return step
    target, mapping = writable(locked, acting_user)
    ordered = [mapping.get(s.pk, s) for s in ordered]
    moved = mapping.get(step.pk, step)
    old_number = moved.number
    ordered.remove(moved)
    ordered.insert(number - 1, moved)
    renumbered = [s for position, s in enumerate(ordered, start=1) if s.number != position]
    # Two passes: the numbers are unique per version at every moment.
    offset = max(s.number for s in ordered) + len(ordered) + 1
    for s in renumbered:
        s.number += offset
    Step.objects.bulk_update(renumbered, ["number"])
    for position, s in enumerate(ordered, start=1):
        s.number = position
    Step.objects.bulk_update(renumbered, ["number"])
    touch(target, acting_user)
    record(target, acting_user, {"number": [str(old_number), str(number)]},
           note=f"Step {old_number} ({moved.title}) moved to {number}; the steps are numbered "
                "in order again.", step_number=number)  # fmt: skip
    return moved


def _dependency_steps(predecessor, successor):
    if predecessor.plan_version_id != successor.plan_version_id:
        raise ValidationError("Both steps must belong to the same version of the plan.")
    return lock(successor.plan_version)


@transaction.atomic
def dependency_add(*, predecessor, successor, acting_user):
    """Make ``successor`` wait for ``predecessor``; a loop is refused and named."""
    locked = _dependency_steps(predecessor, successor)
    require_plan_editor(acting_user, locked.plan.project)
    refuse_if_superseded(locked)
    sheet = Sheet(locked)
    predecessor = sheet.steps[Step.objects.get(pk=predecessor.pk).number]
    successor = sheet.steps[Step.objects.get(pk=successor.pk).number]
    current = sheet.predecessors_of(successor.number)
    if predecessor.number in current:
        return successor
    problem = _predecessor_problem(
        [*current, predecessor.number], sheet, successor.number, successor.is_rollback
    )
    if problem:
        raise ValidationError({"predecessors": problem})
    target, mapping = writable(locked, acting_user)
    StepDependency.objects.create(
        plan_version=target,
        predecessor=mapping.get(predecessor.pk, predecessor),
        successor=mapping.get(successor.pk, successor),
    )
    touch(target, acting_user)
    record(target, acting_user,
           {"predecessors": [", ".join(map(str, current)),
                             ", ".join(map(str, sorted([*current, predecessor.number])))]},
           note=f"Step {successor.number} now waits for step {predecessor.number}.",
           step_number=successor.number)  # fmt: skip
    return mapping.get(successor.pk, successor)


@transaction.atomic
def dependency_remove(*, predecessor, successor, acting_user):
    locked = _dependency_steps(predecessor, successor)
    require_plan_editor(acting_user, locked.plan.project)
    refuse_if_superseded(locked)
    link = StepDependency.objects.filter(predecessor=predecessor, successor=successor).first()
    if link is None:
        return successor
    target, mapping = writable(locked, acting_user)
    StepDependency.objects.filter(
        predecessor=mapping.get(predecessor.pk, predecessor),
        successor=mapping.get(successor.pk, successor),
    ).delete()
    touch(target, acting_user)
    record(target, acting_user, {"predecessors": [str(predecessor.number), ""]},
           note=f"Step {successor.number} no longer waits for step {predecessor.number}.",
           step_number=successor.number)  # fmt: skip
    return mapping.get(successor.pk, successor)
