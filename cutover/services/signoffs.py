"""Signing a plan version off: append-only approve / reject / revoke, as items are signed.

Only members holding a stakeholder role the plan names sign, as that role; a rejection
needs a reason; a person's new record supersedes their previous one (a constraint keeps one
standing record per person and version); the same sign-off submitted twice leaves the first
standing. A signer names the content they saw (the version's change count): a plan that
changed since is refused, so nobody signs what they did not read. When every named role has
approved and nobody rejects, the version is signed off. A later change of the plan makes a
new version (services.common.writable), which starts unsigned.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cutover.models import STANDING_DECISIONS, PlanSignOff, PlanStatus
from projects import permissions
from reviews.scoring import plan_signoff_choice, plan_signoff_state

from .common import access_of, lock


def refresh_status(plan_version):
    """Draft or signed off, from the standing sign-offs (a superseded version stays so)."""
    if plan_version.status == PlanStatus.SUPERSEDED:
        return plan_version
    records = list(plan_version.signoffs.order_by("created_at", "pk"))
    signed = (
        bool(plan_version.plan.signoff_roles)
        and plan_signoff_state(plan_version.plan, records).signed
    )
    status = PlanStatus.SIGNED_OFF if signed else PlanStatus.DRAFT
    if status != plan_version.status:
        plan_version.status = status
        plan_version.signed_off_at = timezone.now() if signed else None
        plan_version.save(update_fields=["status", "signed_off_at"])
    return plan_version


def _supersede_mine(plan_version, signer, now):
    PlanSignOff.objects.filter(
        plan_version=plan_version, signer=signer, superseded_at__isnull=True
    ).update(superseded_at=now)


def _refuse_unsignable(locked, version):
    if locked.status == PlanStatus.SUPERSEDED:
        raise ValidationError(
            f"Version {locked.number} was replaced by a newer version; sign the current one."
        )
    if version is not None and int(version) != locked.version:
        raise ValidationError(
            "The plan changed since you opened it. Look at it again, then sign what is there now."
        )
    if not locked.steps.exists():
        raise ValidationError("The plan has no steps yet; there is nothing to sign.")


@transaction.atomic
def plan_sign_off(*, plan_version, acting_user, decision, comment="", as_role="", version=None):
    """Approve or reject ``plan_version`` (as seen at its change count ``version``)."""
    locked = lock(plan_version)
    plan = locked.plan
    access = access_of(acting_user, plan.project)
    if not permissions.can_sign_off_plan(access, plan):
        raise PermissionDenied(
            "Only members who hold a stakeholder role this plan names can sign it off. "
            "The project manager assigns roles on the members page."
        )
    if decision not in STANDING_DECISIONS:
        raise ValidationError({"decision": "Choose approve or reject."})
    comment = (comment or "").strip()
    if decision == PlanSignOff.Decision.REJECT and not comment:
        raise ValidationError(
            {"comment": "Say why you reject the plan, so the cutover manager knows what to fix."}
        )
    _refuse_unsignable(locked, version)
    records = list(locked.signoffs.order_by("created_at", "pk"))
    state = plan_signoff_state(plan, records)
    as_role, standing = plan_signoff_choice(
        state, permissions.plan_signoff_roles_eligible(access, plan), acting_user.pk,
        decision=decision, as_role=as_role, comment=comment, signed_version=locked.version,
    )  # fmt: skip
    if standing is not None:
        return standing  # submitted twice: the first one stands
    _supersede_mine(locked, acting_user, timezone.now())
    signoff = PlanSignOff.objects.create(
        plan_version=locked, signer=acting_user, as_role=as_role, decision=decision,
        comment=comment, signed_version=locked.version,
    )  # fmt: skip
    refresh_status(locked)
    return signoff


@transaction.atomic
def plan_sign_off_revoke(*, plan_version, acting_user, comment=""):
    """Withdraw one's standing approval or rejection; a new record, nothing is deleted."""
    locked = lock(plan_version)
    if locked.status == PlanStatus.SUPERSEDED:
        raise ValidationError(
            f"Version {locked.number} was replaced by a newer version; its sign-offs are history."
        )
    mine = list(
        locked.signoffs.filter(
            signer=acting_user, superseded_at__isnull=True, decision__in=STANDING_DECISIONS
        )
    )
    if not mine:
        raise ValidationError("You have no current sign-off on this plan to revoke.")
    _supersede_mine(locked, acting_user, timezone.now())
    record = PlanSignOff.objects.create(
        plan_version=locked, signer=acting_user, as_role=mine[0].as_role,
        decision=PlanSignOff.Decision.REVOKE, comment=(comment or "").strip(),
        signed_version=locked.version,
    )  # fmt: skip
    refresh_status(locked)
    return record
