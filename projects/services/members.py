"""Writes of memberships: roles, stakeholder roles, removal (never the last manager)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Membership, Role, SignoffRole


def _lock_memberships(project):
    # Serialise membership changes of one project so two removals cannot both pass
    # the "last project manager" check.
    return list(Membership.objects.select_for_update().filter(project=project))


def _refuse_losing_last_manager(*, project, membership, new_role=None):
    if membership.role != Role.PROJECT_MANAGER or new_role == Role.PROJECT_MANAGER:
        return
    managers = [m for m in _lock_memberships(project) if m.role == Role.PROJECT_MANAGER]
    if len(managers) <= 1:
        raise ValidationError(
            f"{membership.user} is the last project manager of {project}. "
            "Make someone else project manager first."
        )


@transaction.atomic
def membership_change_role(*, membership, role, acting_user=None):
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    _refuse_losing_last_manager(project=membership.project, membership=membership, new_role=role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership, acting_user=None):
    _refuse_losing_last_manager(project=membership.project, membership=membership)
    membership.delete()


@transaction.atomic
def membership_set_signoff_roles(*, membership, signoff_roles, acting_user=None):
    unknown = set(signoff_roles) - set(SignoffRole.values)
    if unknown:
        raise ValidationError({"signoff_roles": f"Unknown role(s): {', '.join(sorted(unknown))}."})
    membership.signoff_roles = sorted(set(signoff_roles))
    membership.save(update_fields=["signoff_roles", "updated_at"])
    return membership
