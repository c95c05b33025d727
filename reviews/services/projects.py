from django.db import transaction

from accounts.models import Membership, Role
from reviews.models import Project

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
def project_update(*, project, acting_user, **fields):
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(project, name, value)
    project.full_clean()
    project.save()
    return project
