"""The invitation e-mail."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.http import absolute_url
from projects.models import Invitation
from projects.services import invitations


def invitation_send(*, invitation_id, nonce):
    invitation = (
        Invitation.objects.select_related("project", "invited_by")
        .filter(pk=invitation_id, nonce=nonce, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return "not pending"
    context = {
        "invitation": invitation,
        "project": invitation.project,
        "url": absolute_url(
            reverse("projects:invitation", args=[invitations.invitation_token(invitation)])
        ),
        "days": invitations.INVITATION_MAX_AGE.days,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/invitation_subject.txt", context).split()),
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
        reply_to=[invitation.invited_by.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()
    return "sent"
