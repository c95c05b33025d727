"""Writes for projects and their members."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from projects.logos import validate_project_logo
from projects.models import Membership, Project, Role, SignoffRole

PROJECT_FIELDS = (
    "name", "customer", "description", "go_live_date", "scopes", "phase",
    "reminder_due_soon_days", "escalation_after_days", "reminders_paused",
    "vote_rule", "votes_required", "confidentiality_note",
)  # fmt: skip


def _set_logo(project, logo, remove):
    """Take a newly uploaded logo (checked) or remove the current one; the old file is
    deleted from storage once the change is committed."""
    if isinstance(logo, UploadedFile):
        validate_project_logo(logo)
        project.logo = logo
    elif remove:
        project.logo = ""
    else:
        return
    # The stored name, not the instance's: a model form has already put the upload on it.
    old = Project.objects.filter(pk=project.pk).values_list("logo", flat=True).first()
    if old:
        storage = project.logo.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def project_create(*, acting_user, logo=None, **fields):
    """Create a project; its creator becomes its first project manager."""
    project = Project(
        created_by=acting_user, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    )
    project.full_clean()
    project.save()
    if logo:  # stored once the project has the id its folder is named after
        _set_logo(project, logo, remove=False)
        project.save(update_fields=["logo"])
    Membership.objects.create(project=project, user=acting_user, role=Role.PROJECT_MANAGER)
    return project


@transaction.atomic
def project_update(*, project, acting_user, logo=None, remove_logo=False, **fields):
    """Save the project's settings; ``logo`` a new upload, ``remove_logo`` to drop it."""
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(project, name, value)
    _set_logo(project, logo, remove_logo)
    project.full_clean()
    project.save()
    return project


def require_member(*, project, user, field="owner", purpose="take part in it"):
    """Refuse a user who is not an active member of the project, with a message that says why."""
    if not user.is_active or not Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError(
            {
                field: f"{user} is not a member of {project}, so they cannot {purpose}. "
                "Choose a project member, or ask the project manager to add them first."
            }
        )


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
def membership_add(*, project, email, role, acting_user=None):
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError(
            {
                "email": f"No active user has the e-mail address {email}. Ask site staff to create the account first."
            }
        )
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"email": f"{user} is already a member of this project."})
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    return Membership.objects.create(project=project, user=user, role=role)


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
