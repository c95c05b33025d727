"""Writes of mitigation actions: create, status, notes and due date, reassignment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import refuse_if_stale
from core.history import apply_changes, display_value
from notifications.models import Kind
from notifications.services import notify
from projects import permissions
from risks.models import ActionStatus, MitigationAction, MitigationActionChange

from .common import access_of, require, require_member_owner


def _lock(action):
    return (
        MitigationAction.objects.select_for_update()
        .select_related("risk__project")
        .get(pk=action.pk)
    )


def _tell_owner(action, risk, acting_user):
    """Tell the action's (new) owner it is theirs now."""
    notify(
        recipients=[action.owner],
        kind=Kind.OWNER,
        title=f"You own the action “{action.description[:120]}” on {risk.reference}",
        url=risk.get_absolute_url(),
        project=risk.project,
        actor=acting_user,
        key=f"action-owner:{action.pk}:{action.version}",
    )


def _save(action, acting_user, changes, note=""):
    """Save a changed action under its next version, with its history row."""
    action.version += 1
    action.save()
    MitigationActionChange.objects.create(
        action=action, user=acting_user, version=action.version, changes=changes, note=note[:300]
    )


@transaction.atomic
def action_create(*, risk, acting_user, description, owner, due_date=None, notes=""):
    """Add an action to a risk's or issue's mitigation plan; the owner must be a member."""
    require(
        permissions.can_add_action(access_of(acting_user, risk.project), risk),
        "Only the facilitator, the project manager or the person who raised it plan its mitigation.",
    )
    if not risk.is_rated:
        raise ValidationError("An assertion records something done well; it needs no mitigation.")
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what will be done."})
    require_member_owner(project=risk.project, owner=owner)
    action = MitigationAction.objects.create(
        risk=risk,
        description=description,
        owner=owner,
        due_date=due_date,
        notes=notes or "",
        created_by=acting_user,
    )
    due = f", due {due_date.isoformat()}" if due_date else ", no due date"
    MitigationActionChange.objects.create(
        action=action, user=acting_user, version=action.version, changes={},
        note=f"Created for {owner}{due}",
    )  # fmt: skip
    _tell_owner(action, risk, acting_user)
    return action


@transaction.atomic
def action_update_status(*, action, acting_user, status):
    """Move an action on (open, in progress, done, cancelled); done records who and when."""
    require(
        permissions.can_update_action(access_of(acting_user, action.risk.project), action),
        "Only the action's owner, the facilitator or the project manager can change its status.",
    )
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a valid status."})
    locked = _lock(action)
    changes = apply_changes(locked, {"status": status})
    if not changes:
        return locked
    if status == ActionStatus.DONE:
        locked.completed_at = timezone.now()
        locked.completed_by = acting_user
    elif locked.completed_at is not None:
        changes["completed_at"] = [display_value(locked, "completed_at", locked.completed_at), ""]
        locked.completed_at = None
        locked.completed_by = None
    _save(locked, acting_user, changes)
    return locked


@transaction.atomic
def action_update(*, action, acting_user, version=None, **fields):
    """Change an action's notes (its owner may), or its description and due date (editors).

    Refuses (ConflictError) an edit made on top of an older ``version``.
    """
    unknown = set(fields) - {"notes", "description", "due_date"}
    if unknown:
        raise TypeError(f"action_update() cannot change {', '.join(sorted(unknown))}")
    access = access_of(acting_user, action.risk.project)
    require(
        permissions.can_update_action(access, action)
        or permissions.can_edit_action(access, action),
        "Only the action's owner, the facilitator or the project manager can update it.",
    )
    locked = _lock(action)
    refuse_if_stale(locked, version, what="this action")
    if "notes" in fields:
        fields["notes"] = fields["notes"] or ""
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
        if not fields["description"]:
            raise ValidationError({"description": "Say what will be done."})
    changes = apply_changes(locked, fields)
    if not changes:
        return locked
    if set(changes) - {"notes"}:
        require(
            permissions.can_edit_action(access, locked),
            "Only the facilitator, the project manager or the person who raised the finding "
            "change an action's description or due date.",
        )
    _save(locked, acting_user, changes)
    return locked


@transaction.atomic
def action_reassign(*, action, acting_user, owner, note=""):
    """Give an open action to another project member."""
    project = action.risk.project
    require(
        permissions.can_reassign_action(access_of(acting_user, project)),
        "Only the project manager or the facilitator can reassign actions.",
    )
    locked = _lock(action)
    if not locked.is_open:
        raise ValidationError(
            f"This action is {locked.get_status_display().lower()}; only open actions move."
        )
    require_member_owner(project=project, owner=owner)
    if owner.pk == locked.owner_id:
        raise ValidationError({"owner": f"{owner} already owns this action."})
    changes = apply_changes(locked, {"owner": owner})
    _save(locked, acting_user, changes, note or "Reassigned")
    _tell_owner(locked, locked.risk, acting_user)
    return locked


@transaction.atomic
def actions_reassign(*, actions, acting_user, owner, note=""):
    """Give several open actions to one member, all or none (e.g. when someone leaves).

    Actions the new owner already holds are left as they are.
    """
    return [
        action_reassign(action=action, acting_user=acting_user, owner=owner, note=note)
        for action in actions
        if action.owner_id != owner.pk
    ]
