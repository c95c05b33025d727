"""Stakeholder sign-offs: append-only records of approve / reject / revoke.

A person's new record supersedes their previous ones, so each person has at most one
standing approval or rejection per item (a database constraint backs it). Submitting the
same sign-off twice (a double click, two tabs) leaves the first standing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects import permissions
from projects.selectors import project_access
from reviews.models import STANDING_DECISIONS, ReviewItem, SignOff
from reviews.scoring import signoff_state
from webhooks.models import WebhookEventType
from webhooks.services import webhook_event_publish


def _lock(item):
    return ReviewItem.objects.select_for_update().select_related("review__project").get(pk=item.pk)


def _records(item):
    return list(item.signoffs.order_by("created_at", "pk"))


def _supersede_mine(records, signer, now):
    """Supersede the signer's records that still stand (a new one of theirs follows)."""
    mine = [r.pk for r in records if r.signer_id == signer.pk and r.superseded_at is None]
    SignOff.objects.filter(pk__in=mine).update(superseded_at=now)


@transaction.atomic
def item_sign_off(*, item, acting_user, decision, comment="", as_role=""):
    """Approve or reject an item as one of the stakeholder roles it names that the person holds.

    Rejecting needs a comment; the owner is never the only approver.
    """
    item = _lock(item)
    access = project_access(user=acting_user, project=item.review.project)
    if not permissions.can_sign_off(access, item):
        raise PermissionDenied(
            "Only members who hold a stakeholder role this item names can sign it off "
            "(approvers sign the items that name none). The project manager assigns roles "
            "on the members page."
        )
    if decision not in STANDING_DECISIONS:
        raise ValidationError({"decision": "Choose approve or reject."})
    comment = (comment or "").strip()
    if decision == SignOff.Decision.REJECT and not comment:
        raise ValidationError(
            {"comment": "Say why you reject this item, so the owner knows what to fix."}
        )
    records = _records(item)
    state = signoff_state(item, records)
    eligible = permissions.eligible_signoff_roles(access, item)
    if as_role:
        if as_role not in eligible:
            raise ValidationError({"as_role": "You do not hold that sign-off role for this item."})
    else:
        open_roles = [role for role in state.awaited_roles if role in eligible]
        mine = [r for r in state.current if r.signer_id == acting_user.pk]
        as_role = open_roles[0] if open_roles else (mine[0].as_role if mine else min(eligible))
    standing = next((r for r in state.current if r.signer_id == acting_user.pk), None)
    if standing is not None and (
        standing.decision,
        standing.as_role,
        standing.comment,
        standing.item_version,
    ) == (decision, as_role, comment, item.version):
        return standing  # submitted twice: the first one stands
    if decision == SignOff.Decision.APPROVE and item.owner_id == acting_user.pk:
        others = [s for s in state.approvals if s.signer_id != acting_user.pk]
        if not others:
            raise ValidationError(
                "You own this item, so you cannot be its only approver. Another approver must sign it first."
            )
    _supersede_mine(records, acting_user, timezone.now())
    signoff = SignOff.objects.create(
        item=item,
        signer=acting_user,
        as_role=as_role,
        decision=decision,
        comment=comment,
        item_version=item.version,
    )
    _publish(item, signoff)
    return signoff


def _publish(item, signoff):
    rejected = signoff.decision == SignOff.Decision.REJECT
    verb = "rejected" if rejected else "signed off"
    text = f"{signoff.signer} {verb} “{item.title}” in {item.review.title}"
    text += f" as {signoff.get_as_role_display()}." if signoff.as_role else "."
    webhook_event_publish(
        project=item.review.project,
        event=WebhookEventType.SIGNOFF_REJECTED if rejected else WebhookEventType.SIGNOFF_GIVEN,
        title=f"“{item.title}” {verb} by {signoff.signer}",
        text=f"{text} {signoff.comment}".strip(), url=item.get_absolute_url(),
        actor=signoff.signer,
        data={"item_id": item.pk, "review_id": item.review_id, "as_role": signoff.as_role},
    )  # fmt: skip


@transaction.atomic
def item_sign_off_revoke(*, item, acting_user, comment=""):
    """Withdraw one's standing approval or rejection; a new record, nothing is deleted."""
    item = _lock(item)
    records = _records(item)
    state = signoff_state(item, records)
    mine = [s for s in state.current if s.signer_id == acting_user.pk]
    if not mine:
        raise ValidationError("You have no current sign-off on this item to revoke.")
    _supersede_mine(records, acting_user, timezone.now())
    return SignOff.objects.create(
        item=item,
        signer=acting_user,
        as_role=mine[0].as_role,
        decision=SignOff.Decision.REVOKE,
        comment=(comment or "").strip(),
        item_version=item.version,
    )
