"""Writes of the accounts app: password reset requests, personal access tokens, two-step
sign-in."""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import tasks
from accounts.lockout import normalise_login
from accounts.models import (
    RECOVERY_CODE_ALPHABET,
    RECOVERY_CODE_LENGTH,
    AccessToken,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
)
from accounts.selectors import RECOVERY_DEVICE_NAME
from core.cache import within_limit

logger = logging.getLogger(__name__)


def _limit_key(kind, value):
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no addresses in cache keys
    return f"password-reset:v1:{kind}:{digest}"


def password_reset_request(*, email, client_ip):
    """Record a wish to reset the password of ``email``; the mail goes from a task.

    The answer is the same whether an account exists or not: nothing here looks it up.
    Requests are limited per address and per client address (settings); past a limit this
    raises ValidationError, again whatever the account.
    """
    email = normalise_login(email)
    window = settings.PASSWORD_RESET_LIMIT_SECONDS
    allowed_address = within_limit(
        _limit_key("address", email),
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        seconds=window,
    )
    allowed_client = within_limit(
        _limit_key("ip", client_ip or "unknown"),
        limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
        seconds=window,
    )
    if not (allowed_address and allowed_client):
        logger.warning("Password reset requests over the limit (client %s)", client_ip)
        raise ValidationError(
            "Too many password reset requests for this address or from your network. "
            "Try again in an hour; a mail already sent stays valid."
        )
    transaction.on_commit(lambda: tasks.password_reset_send_task.delay(email))


def password_reset_send(*, email):
    """Send the reset mail if ``email`` is an active account's (Django's form does the
    lookup, the token and the mail); links use SITE_URL."""
    scheme, _, domain = settings.SITE_URL.partition("://")
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    form.save(
        domain_override=domain,
        use_https=scheme == "https",
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
    )


# --- Personal access tokens (the API) ------------------------------------------------

TOKEN_PREFIX = "rdy_"  # noqa: S105 (a marker that tells tokens apart, not a secret)
TOKEN_LIFETIMES_DAYS = (7, 30, 90, 365)
# Last used is written at most this often per token, so reading the API stays one SELECT.
TOKEN_LAST_USED_EVERY = datetime.timedelta(minutes=1)


def hash_token_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def access_token_create(*, acting_user, name, scope, days):
    """Make a token for ``acting_user``; returns (token, secret). The secret exists only in
    this return value: the database keeps its sha256 and its first characters."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after what will use it."})
    if scope not in AccessToken.Scope.values:
        raise ValidationError({"scope": "Choose read or read and write."})
    if days not in TOKEN_LIFETIMES_DAYS:
        choices = ", ".join(str(d) for d in TOKEN_LIFETIMES_DAYS)
        raise ValidationError({"days": f"A token lasts {choices} days."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=acting_user,
        name=name[:100],
        scope=scope,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        secret_hash=hash_token_secret(secret),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token, secret


@transaction.atomic
def access_token_revoke(*, token, acting_user):
    """Revoke one of one's own tokens (revoking twice changes nothing)."""
    if token.user_id != acting_user.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def access_token_authenticate(secret):
    """The usable token of ``secret`` with its user, or None (unknown, revoked, expired, or
    its user deactivated). Marks it used, at most once a minute (a conditional UPDATE)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        AccessToken.objects.select_related("user")
        .filter(secret_hash=hash_token_secret(secret), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - TOKEN_LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_LAST_USED_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Two-step sign-in (django-otp: a TOTP device and recovery codes) ------------------

RECOVERY_CODE_COUNT = 10


def _recovery_code_new():
    """A random code of 60 bits, grouped for reading: ``xxxx-xxxx-xxxx``."""
    code = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(code[start : start + 4] for start in range(0, RECOVERY_CODE_LENGTH, 4))


def _recovery_codes_replace(user):
    """Ten new single-use recovery codes in place of any old ones; returns them. Only their
    salted digests are stored (``accounts.models.RecoveryCode``)."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.codes.all().delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode.hashed(device, code) for code in codes)
    return codes


@transaction.atomic
def two_step_setup_start(*, acting_user):
    """A new, unconfirmed TOTP device for ``acting_user`` (replacing an unfinished one). It
    counts only once ``two_step_confirm`` has seen a first code from it."""
    if TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
        raise ValidationError("Two-step sign-in is already on.")
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=acting_user, name="authenticator app", confirmed=False)


@transaction.atomic
def two_step_confirm(*, acting_user, token):
    """Turn two-step sign-in on with a first code from the app; returns the recovery
    codes, which exist in plain text only in this return value and the page showing it."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=acting_user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        raise ValidationError("Start the set-up again: there is no code waiting to be confirmed.")
    if not device.verify_token((token or "").replace(" ", "")):
        raise ValidationError(
            {"token": "That code is not right. Check the app's clock and try the current one."}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, _recovery_codes_replace(acting_user)


@transaction.atomic
def recovery_codes_regenerate(*, acting_user):
    """New recovery codes for someone with two-step sign-in on; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
        raise ValidationError("Turn on two-step sign-in first.")
    return _recovery_codes_replace(acting_user)


def two_step_verify(*, user, token):
    """The device that accepts ``token`` (a current app code or an unused recovery code,
    which is then spent), or None."""
    token = (token or "").replace(" ", "").strip()
    if not token:
        return None
    return match_token(user, token)  # locks the devices it tries (select_for_update)


@transaction.atomic
def two_step_disable(*, acting_user, token):
    """Turn two-step sign-in off: needs a current code (or a recovery code)."""
    if not TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
        raise ValidationError("Two-step sign-in is not on.")
    if two_step_verify(user=acting_user, token=token) is None:
        raise ValidationError({"token": "That code is not right: two-step sign-in stays on."})
    TOTPDevice.objects.filter(user=acting_user).delete()
    RecoveryCodeDevice.objects.filter(user=acting_user).delete()


def sso_user_create(*, email, full_name):
    """An account for someone the single sign-on provider vouches for, with no password:
    they sign in through the provider (Django's reset form sends nothing to an account
    without a usable password)."""
    user = User(email=normalise_login(email), full_name=full_name)
    user.set_unusable_password()
    user.save()
    return user
