"""Single sign-on through OpenID Connect (mozilla-django-oidc), beside the password log-in.

mozilla-django-oidc brings the protocol: the start view (state, nonce and PKCE in the
session), the callback view and an authentication backend (code for tokens with the client
secret, the ID token's RS256 signature against the provider's keys, the nonce). This module
adds what the site needs around it:

- the provider's endpoints come from its discovery document (``<issuer>/.well-known/
  openid-configuration``), fetched at the first sign-in and kept for an hour, never at import;
- the ID token's issuer and audience are checked too (the library checks neither);
- who may sign in (``sso_user_for``): a verified e-mail address in an allowed domain, matched
  to an account, else to pending project invitations, else per OIDC_UNKNOWN_USERS;
- every failed callback is a failed log-in for django-axes, and a locked-out client address
  gets the locked-out page on the start and callback views as on the password form.

Projects sit above this app: they register, when Django starts, how to find and accept a
person's pending invitations (``register_invitations``, in projects/apps.py).
"""

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.lockout import normalise_login
from accounts.services import sso_user_create
from accounts.sso_settings import OIDC_BACKEND

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
# mozilla-django-oidc's endpoint settings and the discovery document's names for them.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SsoUnavailable(Exception):
    """The provider's discovery document could not be had (down, wrong issuer)."""


class SignInRefused(PermissionDenied):
    """A sign-in that must not happen; the message is for the log-in page.

    A PermissionDenied: Django's ``authenticate`` stops at it and sends ``user_login_failed``,
    which django-axes counts against the client address."""


# --- The provider's discovery document ------------------------------------------------

_discovery = {}
_discovery_lock = threading.Lock()


def discovery():
    """The issuer's discovery document: fetched once an hour per process, on first use."""
    issuer = settings.OIDC_ISSUER
    with _discovery_lock:
        cached = _discovery.get(issuer)
        if cached and cached[0] > time.monotonic() - DISCOVERY_SECONDS:
            return cached[1]
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        missing = [name for name in [*ENDPOINTS.values(), "issuer"] if not document.get(name)]
    except (requests.RequestException, ValueError) as error:
        raise SsoUnavailable(f"discovery at {issuer} failed: {error}") from error
    # A provider without userinfo (rare) still signs in with its ID token's claims.
    missing = [name for name in missing if name != "userinfo_endpoint"]
    if missing:
        raise SsoUnavailable(f"discovery at {issuer} lacks {', '.join(missing)}")
    with _discovery_lock:
        _discovery[issuer] = (time.monotonic(), document)
    return document


def discovery_forget():
    """Drop the cached documents (tests start a provider per test on a new port)."""
    with _discovery_lock:
        _discovery.clear()


def provider_setting(attr, *default):
    """mozilla-django-oidc's ``get_settings``: its endpoint settings from discovery, unless
    set in the settings; the others from the settings."""
    if attr in ENDPOINTS and not getattr(settings, attr, None):
        return discovery().get(ENDPOINTS[attr])
    return import_from_settings(attr, *default)


# --- Who may sign in -------------------------------------------------------------------


@dataclass(frozen=True)
class _InvitationHooks:
    pending: object  # pending(email) -> bool: a pending, unexpired invitation to that address
    accept: object  # accept(user) -> [project names]: accept them all for the new account


_invitations = []


def register_invitations(*, pending, accept):
    """Projects (above this app) say how to find and accept a person's pending invitations."""
    _invitations[:] = [_InvitationHooks(pending=pending, accept=accept)]


def label():
    return settings.OIDC_BUTTON_LABEL


def verified_email(claims):
    """The e-mail address the provider vouches for, lower case; None if it vouches for none.

    Microsoft Entra ID: ``preferred_username`` (else ``upn``), the sign-in name the tenant's
    administrators give their members; its ``email`` claim is ignored, because a user can
    set it to any address and Entra does not say it was verified. Other providers: ``email``
    with ``email_verified`` true.
    """
    if settings.OIDC_PROVIDER == "entra":
        value = claims.get("preferred_username") or claims.get("upn")
    elif claims.get("email_verified") in (True, "true", "True"):
        value = claims.get("email")
    else:
        value = None
    email = normalise_login(value)
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def _full_name(claims, email):
    name = " ".join(str(claims.get("name") or "").split())
    if not name:
        name = " ".join(
            str(claims.get(part) or "").strip() for part in ("given_name", "family_name")
        ).strip()
    return (name or email.split("@")[0])[:150]


def sso_user_for(request, claims):
    """The account the provider's ``claims`` sign in as; SignInRefused with the reason.

    Matched by verified e-mail (any case) to an account; else, when the address has pending
    project invitations, a new account that accepts them; else per OIDC_UNKNOWN_USERS a new
    account without projects ("create") or a refusal ("refuse", the default).
    """
    provider = label()
    email = verified_email(claims)
    if email is None:
        raise SignInRefused(
            f"{provider} did not confirm an e-mail address for your account, so it cannot "
            "sign you in here. Ask your administrator to verify your address."
        )
    domains = settings.OIDC_ALLOWED_DOMAINS
    if domains and email.rsplit("@", 1)[1] not in domains:
        raise SignInRefused(
            f"{email} cannot sign in here: only addresses at {', '.join(domains)} can."
        )
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        if not user.is_active:
            raise SignInRefused(
                f"The account {email} is switched off. Ask the site's administrators."
            )
        return user
    hooks = _invitations[0] if _invitations else None
    invited = hooks is not None and hooks.pending(email)
    if not invited and settings.OIDC_UNKNOWN_USERS != "create":
        raise SignInRefused(
            f"There is no account for {email} here. Ask a project manager to invite you, "
            "then sign in again."
        )
    try:
        with transaction.atomic():
            user = sso_user_create(email=email, full_name=_full_name(claims, email))
            joined = hooks.accept(user) if invited else []
    except IntegrityError:  # the same person's sign-in in another tab made it a moment ago
        return get_user_model().objects.get(email__iexact=email)
    if joined:
        messages.success(
            request, f"Welcome, {user.get_short_name()}: you joined {joined_names(joined)}."
        )
    return user


def joined_names(names):
    names = [f"“{name}”" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sso_button(request, next_url):
    """The single sign-on button of a page (its label and link), or None when it is off."""
    if not settings.OIDC_ENABLED:
        return None
    url = reverse("oidc_start")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"label": label(), "url": url, "only": settings.SSO_ONLY}


def signed_in_with_sso(request):
    """Whether this session was signed in through the provider."""
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


# --- The backend ---------------------------------------------------------------------------


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, answering only the callback (the credentials it gets
    name a ``nonce``), with its settings read when used: Django makes a backend for every
    ``authenticate`` and every signed-in request, and discovery must not run then."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not settings.OIDC_ENABLED:
            return None
        try:
            user = super().authenticate(request, **kwargs)
            if user is None:  # no code or state in the callback
                raise SignInRefused(f"The sign-in with {label()} did not finish. Try again.")
        except SignInRefused as refusal:
            request.sso_refused = refusal.args[0]
            raise
        except (SsoUnavailable, SuspiciousOperation, requests.RequestException, jwt.PyJWTError,
                KeyError, ValueError) as error:  # fmt: skip
            # A code used twice or expired, a bad signature, nonce, issuer or audience, the
            # provider down: the person can only start again.
            logger.warning("OpenID Connect sign-in failed: %s", error)
            request.sso_refused = f"The sign-in with {label()} did not work. Try again."
            raise SignInRefused(request.sso_refused) from error
        return user

    def get_user(self, user_id):
        """Django's (an account switched off is signed out), not the library's (it is not)."""
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        """The library's checks (signature, nonce, expiry) and the issuer and audience."""
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != discovery()["issuer"]:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token for audience {audience!r}")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's (same subject) on top; Entra
        ID's are all in its ID token (its userinfo endpoint lacks preferred_username)."""
        claims = dict(payload)
        if settings.OIDC_PROVIDER == "entra" or not self.OIDC_OP_USER_ENDPOINT:
            return claims
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject")
        claims.update(info)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        return sso_user_for(self.request, self.get_userinfo(access_token, id_token, payload))


# --- The views ---------------------------------------------------------------------------


def _locked_out(request):
    """Whether the client address is locked out; if so, axes' middleware answers with the
    locked-out page (as after a wrong password)."""
    if not AxesProxyHandler.is_locked(request, {}):
        return False
    request.axes_locked_out = True
    request.axes_credentials = {}
    return True


def _back_to_login(request, message):
    messages.error(request, message)
    return redirect("login")


class SsoGuard:
    """What both single sign-on views check first: SSO is configured (else a 404) and the
    client address is not locked out (else axes' locked-out page)."""

    get_settings = staticmethod(provider_setting)

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        if _locked_out(request):
            return HttpResponse(status=403)  # axes' middleware shows the locked-out page
        return super().dispatch(request, *args, **kwargs)


class SsoStartView(SsoGuard, OIDCAuthenticationRequestView):
    """Send the browser to the provider (mozilla-django-oidc's start view, its endpoint and
    client id read here rather than at construction)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SsoUnavailable as error:
            logger.warning("OpenID Connect sign-in unavailable: %s", error)
            return _back_to_login(
                request, f"{label()} cannot be reached just now. Try again in a few minutes."
            )
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoCallbackView(SsoGuard, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. Success: signed in, on to ``next`` (or
    home). Any failure: back to the log-in page with the reason, counted by axes."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this session did not start
            logger.warning("OpenID Connect callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        request = self.request
        message = getattr(request, "sso_refused", None)
        if message is None:
            # Refused before any backend ran (the provider's error answer, a missing or
            # unknown state): Django sent no signal, so this one is counted here.
            user_login_failed.send(sender=__name__, credentials={}, request=request)
            error = request.GET.get("error", "")
            if error:  # an OAuth error code (access_denied, ...): shown only if it is one
                code = f" (it answered “{error}”)" if error.replace("_", "").isalpha() else ""
                message = f"{label()} did not sign you in{code[:60]}."
            else:
                message = (
                    f"The sign-in with {label()} could not be checked (it may have been "
                    "started in another window or too long ago). Try again."
                )
        if getattr(request, "axes_locked_out", False):
            return HttpResponse(status=403)  # axes' middleware shows the locked-out page
        return _back_to_login(request, message)
