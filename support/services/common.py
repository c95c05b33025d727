"""What every support-plan write shares: who may do it, the lock, the version check, and
the rule that a change supersedes the standing sign-offs."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import refuse_if_stale as core_refuse_if_stale
from projects import permissions
from projects.selectors import project_access
from support.models import STANDING_DECISIONS, PlanStatus, SupportPlan, SupportPlanChange

WHAT = "the support plan"


def access_of(acting_user, project):
    return project_access(user=acting_user, project=project)


def require_editor(acting_user, project):
    access = access_of(acting_user, project)
    if not permissions.can_edit_support_plan(access):
        raise PermissionDenied(
            "Only the project manager, the facilitator and members holding the cutover "
            "manager's or the support lead's role edit the support plan."
        )
    return access


def lock(plan):
    return SupportPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)


def refuse_if_stale(locked, version):
    """An edit made on top of an older ``version`` of the plan is a conflict."""
    core_refuse_if_stale(locked, version, what=WHAT)


def changed(locked, acting_user, changes, *, note=""):
    """Count one more change of the plan, record it, and supersede the standing sign-offs
    (a signed plan that changes needs signing again)."""
    now = timezone.now()
    standing = locked.signoffs.filter(
        superseded_at__isnull=True, decision__in=STANDING_DECISIONS
    ).select_related("signer")
    signers = sorted({str(record.signer) for record in standing})
    if signers:
        locked.signoffs.filter(superseded_at__isnull=True).update(superseded_at=now)
        note = (note + " " if note else "") + (
            f"The sign-offs of {', '.join(signers)} are superseded: the plan needs signing again."
        )
    locked.version += 1
    locked.updated_by = acting_user
    locked.status = PlanStatus.DRAFT
    locked.signed_off_at = None
    locked.save(update_fields=["version", "updated_by", "status", "signed_off_at", "updated_at"])
    return SupportPlanChange.objects.create(
        plan=locked, user=acting_user, version=locked.version, changes=changes, note=note[:300]
    )


def record(locked, acting_user, changes, *, note=""):
    """A history row that is not a change of the plan's content (hypercare, check-ins)."""
    return SupportPlanChange.objects.create(
        plan=locked, user=acting_user, version=locked.version, changes=changes, note=note[:300]
    )
