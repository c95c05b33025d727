"""Stakeholder sign-offs: append-only records of approve / reject / revoke."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from projects import permissions
from projects.selectors import project_access
from reviews.models import ReviewItem, SignOff
from reviews.scoring import signoff_state


def _current_signoffs(item):
    return list(item.signoffs.order_by("created_at", "pk"))


@transaction.atomic
def item_sign_off(*, item, acting_user, decision, comment="", as_role=""):
    """Approve or reject an item. Rejecting needs a comment; the owner is never the only approver."""
    item = ReviewItem.objects.select_for_update().select_related("review__project").get(pk=item.pk)
    access = project_access(user=acting_user, project=item.review.project)
    if not permissions.can_sign_off(access, item):
        raise PermissionDenied(
            "Only approvers, or members holding a role this item names, can sign it off."
        )
    if decision not in {SignOff.Decision.APPROVE, SignOff.Decision.REJECT}:
        raise ValidationError({"decision": "Choose approve or reject."})
    comment = (comment or "").strip()
    if decision == SignOff.Decision.REJECT and not comment:
        raise ValidationError(
            {"comment": "Say why you reject this item, so the owner knows what to fix."}
        )
    state = signoff_state(item, _current_signoffs(item))
    eligible = permissions.eligible_signoff_roles(access, item)
    if as_role:
        if as_role not in eligible:
            raise ValidationError({"as_role": "You do not hold that sign-off role for this item."})
    else:
        open_roles = [role for role in state.awaited_roles if role in eligible]
        as_role = open_roles[0] if open_roles else ""
    if decision == SignOff.Decision.APPROVE and item.owner_id == acting_user.pk:
        others = [s for s in state.approvals if s.signer_id != acting_user.pk]
        if not others:
            raise ValidationError(
                "You own this item, so you cannot be its only approver. Another approver must sign it first."
            )
    return SignOff.objects.create(
        item=item,
        signer=acting_user,
        as_role=as_role,
        decision=decision,
        comment=comment,
        item_version=item.version,
    )


@transaction.atomic
def item_sign_off_revoke(*, item, acting_user, comment=""):
    """Withdraw one's current approval or rejection; a new record, nothing is deleted."""
    item = ReviewItem.objects.select_for_update().select_related("review__project").get(pk=item.pk)
    state = signoff_state(item, _current_signoffs(item))
    mine = [s for s in state.current if s.signer_id == acting_user.pk]
    if not mine:
        raise ValidationError("You have no current sign-off on this item to revoke.")
    return SignOff.objects.create(
        item=item,
        signer=acting_user,
        as_role=mine[0].as_role,
        decision=SignOff.Decision.REVOKE,
        comment=(comment or "").strip(),
        item_version=item.version,
    )
