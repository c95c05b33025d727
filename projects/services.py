"""Writes for projects and their members."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from projects.models import GoLiveDateChange, Membership, Project, Role, SignoffRole

PROJECT_FIELDS = (
    "name", "customer", "description", "go_live_date", "scopes", "phase",
    "reminder_due_soon_days", "escalation_after_days", "reminders_paused",
    "vote_rule", "votes_required",
)  # fmt: skip


@transaction.atomic
def project_create(*, acting_user, **fields):
    """Create a project; its creator becomes its first project manager."""
    project = Project(
        created_by=acting_user, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    )
    project.full_clean()
    project.save()
    Membership.objects.create(project=project, user=acting_user, role=Role.PROJECT_MANAGER)
    return project


@transaction.atomic
def project_update(*, project, acting_user, replan_reason="", **fields):
    """Change a project's settings; a new go-live date is a re-plan and needs its reason.

    The date is compared with the one stored (a bound ModelForm has already set the new
    one on ``project``).
    """
    stored = Project.objects.select_for_update().get(pk=project.pk)
    new_date = fields.pop("go_live_date", stored.go_live_date)
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(project, name, value)
    project.go_live_date = stored.go_live_date
    project.full_clean()
    if new_date != stored.go_live_date:
        if not (replan_reason or "").strip():
            raise ValidationError(
                {
                    "replan_reason": "Say why the go-live date moves; the project keeps every re-plan."
                }
            )
        project.save()
        project_replan(
            project=project, acting_user=acting_user, new_date=new_date, reason=replan_reason
        )
        return project
    project.save()
    return project


@transaction.atomic
def project_replan(*, project, acting_user, new_date, reason):
    """Move the planned go-live date and record the re-plan (old date, new date, who, why)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    change = GoLiveDateChange.objects.create(
        project=locked,
        old_date=locked.go_live_date,
        new_date=new_date,
        changed_by=acting_user,
        reason=reason.strip(),
    )
    Project.objects.filter(pk=locked.pk).update(go_live_date=new_date, updated_at=timezone.now())
    project.go_live_date = new_date
    return change


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
