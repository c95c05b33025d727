"""Writes of projects: create, edit, re-plan the go-live date; the membership rule."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from projects.logos import validate_project_logo
from projects.models import GoLiveDateChange, Membership, Project, Role

PROJECT_FIELDS = (
    "name", "customer", "description", "go_live_date", "scopes", "phase",
    "reminder_due_soon_days", "escalation_after_days", "reminders_paused",
    "vote_rule", "votes_required", "confidentiality_note",
)  # fmt: skip


def _set_logo(project, logo, *, remove, stored_name):
    """Take a newly uploaded logo (checked) or remove the current one; the stored file
    ``stored_name`` is deleted from storage once the change is committed."""
    if isinstance(logo, UploadedFile):
        validate_project_logo(logo)
        project.logo = logo
    elif remove:
        project.logo = ""
    else:
        return
    if stored_name:
        storage = project.logo.storage
        transaction.on_commit(lambda: storage.delete(stored_name))


@transaction.atomic
def project_create(*, acting_user, logo=None, **fields):
    """Create a project; its creator becomes its first project manager."""
    project = Project(
        created_by=acting_user, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    )
    project.full_clean()
    project.save()
    if logo:  # stored once the project has the id its folder is named after
        _set_logo(project, logo, remove=False, stored_name="")
        project.save(update_fields=["logo"])
    Membership.objects.create(project=project, user=acting_user, role=Role.PROJECT_MANAGER)
    return project


@transaction.atomic
def project_update(
    *, project, acting_user, replan_reason="", logo=None, remove_logo=False, **fields
):
    """Change a project's settings; a new go-live date is a re-plan and needs its reason.

    The date is compared with the one stored (a bound ModelForm has already set the new
    one on ``project``), and so is the logo: ``logo`` a new upload, ``remove_logo`` to
    drop it.
    """
    stored = Project.objects.select_for_update().get(pk=project.pk)
    new_date = fields.pop("go_live_date", stored.go_live_date)
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(project, name, value)
    _set_logo(project, logo, remove=remove_logo, stored_name=stored.logo.name)
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
