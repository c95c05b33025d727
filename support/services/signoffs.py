"""Signing the support plan off, with the cutover plan's rules: append-only approve /
reject / revoke; members holding a role the plan names sign as that role; a rejection
needs a reason; a signer names the plan's change count they saw (a plan changed since is
refused); when every named role approved and nobody rejects, the plan is signed off. Any
later change of the plan supersedes the standing sign-offs (services.common.changed)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects import permissions
from reviews.scoring import plan_signoff_choice, plan_signoff_state
from support.models import STANDING_DECISIONS, PlanStatus, SupportPlanSignOff

from .common import access_of, lock


def refresh_status(plan):
    records = [r for r in plan.signoffs.order_by("created_at", "pk") if r.superseded_at is None]
    signed = bool(plan.signoff_roles) and plan_signoff_state(plan, records).signed
    status = PlanStatus.SIGNED_OFF if signed else PlanStatus.DRAFT
    if status != plan.status:
        plan.status = status
        plan.signed_off_at = timezone.now() if signed else None
        plan.save(update_fields=["status", "signed_off_at"])
    return plan


def _supersede_mine(plan, signer, now):
    SupportPlanSignOff.objects.filter(plan=plan, signer=signer, superseded_at__isnull=True).update(
        superseded_at=now
    )


@transaction.atomic
def support_plan_sign_off(*, plan, acting_user, decision, comment="", as_role="", version=None):
    """Approve or reject ``plan`` as seen at its change count ``version``."""
    locked = lock(plan)
    access = access_of(acting_user, locked.project)
    if not permissions.can_sign_off_support_plan(access, locked):
        raise PermissionDenied(
            "Only members who hold a stakeholder role this plan names can sign it off."
        )
    if decision not in STANDING_DECISIONS:
        raise ValidationError({"decision": "Choose approve or reject."})
    comment = (comment or "").strip()
    if decision == SupportPlanSignOff.Decision.REJECT and not comment:
        raise ValidationError(
            {"comment": "Say why you reject the plan, so its editors know what to fix."}
        )
    if version is not None and int(version) != locked.version:
        raise ValidationError(
            "The plan changed since you opened it. Look at it again, then sign what is there now."
        )
    if not locked.lines.exists():
        raise ValidationError("The plan has no support lines yet; there is nothing to sign.")
    records = list(locked.signoffs.filter(superseded_at__isnull=True).order_by("created_at", "pk"))
    state = plan_signoff_state(locked, records)
    as_role, standing = plan_signoff_choice(
        state, permissions.support_signoff_roles_eligible(access, locked), acting_user.pk,
        decision=decision, as_role=as_role, comment=comment, signed_version=locked.version,
    )  # fmt: skip
    if standing is not None:
        return standing  # submitted twice: the first one stands
    _supersede_mine(locked, acting_user, timezone.now())
    signoff = SupportPlanSignOff.objects.create(
        plan=locked, signer=acting_user, as_role=as_role, decision=decision, comment=comment,
        signed_version=locked.version,
    )  # fmt: skip
    refresh_status(locked)
    return signoff


@transaction.atomic
def support_plan_sign_off_revoke(*, plan, acting_user, comment=""):
    locked = lock(plan)
    mine = list(
        locked.signoffs.filter(
            signer=acting_user, superseded_at__isnull=True, decision__in=STANDING_DECISIONS
        )
    )
    if not mine:
        raise ValidationError("You have no current sign-off on this plan to revoke.")
    _supersede_mine(locked, acting_user, timezone.now())
    record = SupportPlanSignOff.objects.create(
        plan=locked, signer=acting_user, as_role=mine[0].as_role,
        decision=SupportPlanSignOff.Decision.REVOKE, comment=(comment or "").strip(),
        signed_version=locked.version,
    )  # fmt: skip
    refresh_status(locked)
    return record
