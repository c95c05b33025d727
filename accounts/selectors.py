"""Reads of the accounts app, scoped to the user who asks."""

from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessToken, RecoveryCode

RECOVERY_DEVICE_NAME = "recovery"


def access_tokens_of(user):
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(AccessToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def access_token_get(user, token_pk):
    """One of the user's own tokens (anyone else's is a 404)."""
    return get_object_or_404(AccessToken, user=user, pk=token_pk)


def two_step_state(user):
    """What the profile shows of two-step sign-in: the confirmed device (or None), a set-up
    waiting for its first code (or None), and how many recovery codes are left."""
    devices = list(TOTPDevice.objects.filter(user=user).order_by("-pk"))
    confirmed = next((device for device in devices if device.confirmed), None)
    pending = None if confirmed else next(iter(devices), None)
    codes_left = (
        RecoveryCode.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()
        if confirmed
        else 0
    )
    return {"device": confirmed, "pending": pending, "codes_left": codes_left}


def two_step_required(user):
    """Whether ``user`` must give a code after the password (a confirmed device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
