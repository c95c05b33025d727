"""Invitations: the project manager invites by e-mail; nobody is a member until they accept.

The link carries a signed token (Django's signing) naming the invitation and its nonce,
so it expires (INVITATION_MAX_AGE), stops working when the invitation is accepted,
revoked or sent again, and cannot be forged.
"""

import datetime
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from projects import tasks
from projects.models import Invitation, Membership, Project, Role, SignoffRole

INVITATION_MAX_AGE = datetime.timedelta(days=7)
# At most this many invitations (first sends and resends) per project and hour.
INVITATIONS_PER_HOUR = 20
# A pending invitation is sent again at most this often.
RESEND_AFTER = datetime.timedelta(minutes=5)
# Separates these signatures from the others made with SECRET_KEY (not a secret itself).
SIGNING_SALT = "readiness.projects.invitation"


class InvitationLinkError(Exception):
    """An invitation link that cannot be used; ``reason`` says why, for the page."""

    def __init__(self, reason, invitation=None):
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


def invitation_token(invitation):
    """The signed token of the invitation's current link."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SIGNING_SALT)


def invitation_from_token(token):
    """The pending invitation a link names; InvitationLinkError when it cannot be used."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=INVITATION_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise InvitationLinkError("expired") from error
    except signing.BadSignature as error:
        raise InvitationLinkError("invalid") from error
    invitation = (
        Invitation.objects.select_related("project", "invited_by").filter(pk=data.get("i")).first()
    )
    if invitation is None:
        raise InvitationLinkError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationLinkError("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationLinkError("revoked", invitation)
    if invitation.nonce != data.get("n"):
        raise InvitationLinkError("replaced", invitation)
    return invitation


def _check_rate(project, now):
    recent = Invitation.objects.filter(
        project=project, sent_at__gte=now - datetime.timedelta(hours=1)
    )
    if recent.count() >= INVITATIONS_PER_HOUR:
        raise ValidationError(
            f"This project sent {INVITATIONS_PER_HOUR} invitations in the last hour, the most "
            "it may. Wait a while before sending more."
        )


def _send(invitation):
    nonce = invitation.nonce
    transaction.on_commit(lambda: tasks.invitation_send_task.delay(invitation.pk, nonce))


@transaction.atomic
def invitation_create(*, project, acting_user, email, role, signoff_roles=()):
    """Invite someone by e-mail to join in ``role``; they become a member only by accepting.

    The answer is the same whether or not the address has an account.
    """
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    unknown = set(signoff_roles) - set(SignoffRole.values)
    if unknown:
        raise ValidationError({"signoff_roles": f"Unknown role(s): {', '.join(sorted(unknown))}."})
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one invite at a time
    if Membership.objects.filter(project=project, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this project."})
    if Invitation.objects.filter(
        project=project, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {"email": f"An invitation to {email} is pending; resend it from the list instead."}
        )
    now = timezone.now()
    _check_rate(project, now)
    invitation = Invitation.objects.create(
        project=project,
        email=email,
        role=role,
        signoff_roles=sorted(set(signoff_roles)),
        invited_by=acting_user,
        nonce=secrets.token_hex(16),
        sent_at=now,
    )
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation, acting_user):
    """Send a pending invitation again with a new link (the older link stops working)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError("This invitation is no longer pending.")
    now = timezone.now()
    if invitation.sent_at > now - RESEND_AFTER:
        raise ValidationError(
            f"The invitation to {invitation.email} was sent a moment ago; wait a few minutes "
            "before sending it again."
        )
    _check_rate(invitation.project, now)
    invitation.nonce = secrets.token_hex(16)
    invitation.sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["nonce", "sent_at", "send_count", "updated_at"])
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation, acting_user):
    """Withdraw a pending invitation; its link stops working."""
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), updated_at=timezone.now())
    if not updated:
        raise ValidationError("This invitation is no longer pending.")


@transaction.atomic
def invitation_accept(*, invitation, acting_user):
    """The invited person, signed in with the invited address, joins the project."""
    invitation = (
        Invitation.objects.select_for_update().select_related("project").get(pk=invitation.pk)
    )
    if not invitation.is_pending:
        raise InvitationLinkError("used" if invitation.accepted_at else "revoked", invitation)
    if acting_user.email.lower() != invitation.email:
        raise ValidationError(
            f"This invitation is for {invitation.email}; you are signed in as "
            f"{acting_user.email}. Sign out and open the link again."
        )
    membership, _ = Membership.objects.get_or_create(
        project=invitation.project,
        user=acting_user,
        defaults={"role": invitation.role, "signoff_roles": invitation.signoff_roles},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = acting_user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_register(*, invitation, full_name, password):
    """Someone without an account sets their name and password and joins (their address is
    the one the invitation went to, so it is theirs)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationLinkError("used" if invitation.accepted_at else "revoked", invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            f"An account for {invitation.email} exists already: sign in to accept the invitation."
        )
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": "Say who you are: your name as colleagues know it."})
    user = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error
    user.set_password(password)
    user.save()
    invitation_accept(invitation=invitation, acting_user=user)
    return user


def invitations_pending_for(email):
    """The invitations to ``email`` whose links still work: neither accepted nor revoked,
    sent (or sent again) within INVITATION_MAX_AGE."""
    return Invitation.objects.filter(
        email=(email or "").strip().lower(),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        sent_at__gt=timezone.now() - INVITATION_MAX_AGE,
    )


@transaction.atomic
def invitations_accept_all(*, acting_user):
    """A new account (made at its first single sign-on) accepts every pending invitation to
    its address, each as ``invitation_accept`` does; returns the projects' names."""
    names = []
    for invitation in invitations_pending_for(acting_user.email).select_related("project"):
        invitation_accept(invitation=invitation, acting_user=acting_user)
        names.append(invitation.project.name)
    return names
