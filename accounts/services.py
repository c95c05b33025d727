"""Writes of the accounts app: password reset requests."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import tasks
from accounts.lockout import normalise_login
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
