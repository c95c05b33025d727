"""The single sign-on settings, from the values readiness/settings.py reads from the environment.

A plain function of plain values (no Django imports), so the settings module and the tests
build the same settings the same way. OpenID Connect is on when an issuer (or the Entra ID
preset and its tenant), a client id and a client secret are all given; off when none is.
"""

from django.core.exceptions import ImproperlyConfigured

ENTRA_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
PROVIDERS = {"": "single sign-on", "entra": "Microsoft"}  # preset: default button label
UNKNOWN_USERS = ("refuse", "create")
OIDC_BACKEND = "accounts.sso.SsoBackend"


def oidc_settings(
    *,
    provider="",
    issuer="",
    entra_tenant="",
    client_id="",
    client_secret="",
    allowed_domains=(),
    button_label="",
    unknown_users="refuse",
    sso_only=False,
    backends=(),
):
    """The OIDC_* settings (and AUTHENTICATION_BACKENDS from ``backends``, the password ones).

    ImproperlyConfigured for a half-given configuration, an unknown preset or choice, and
    SSO_ONLY without OpenID Connect: a site that cannot sign anybody in must not start.
    """
    provider = (provider or "").strip().lower()
    if provider not in PROVIDERS:
        raise ImproperlyConfigured(
            f"OIDC_PROVIDER is {provider!r}: 'entra' (Microsoft Entra ID), or empty for any "
            "OpenID Connect provider named by OIDC_ISSUER."
        )
    if provider == "entra" and not issuer:
        if not entra_tenant:
            raise ImproperlyConfigured(
                "OIDC_PROVIDER=entra needs OIDC_ENTRA_TENANT: the directory (tenant) ID of the "
                "app registration."
            )
        issuer = ENTRA_ISSUER.format(tenant=entra_tenant.strip())
    issuer = (issuer or "").strip().rstrip("/")
    given = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
    }
    enabled = all(given.values())
    if any(given.values()) and not enabled:
        missing = ", ".join(name for name, value in given.items() if not value)
        raise ImproperlyConfigured(
            f"OpenID Connect sign-in is half configured: {missing} missing (set all of "
            "OIDC_ISSUER or OIDC_PROVIDER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none)."
        )
    if unknown_users not in UNKNOWN_USERS:
        raise ImproperlyConfigured(
            f"OIDC_UNKNOWN_USERS is {unknown_users!r}: 'refuse' (default) or 'create'."
        )
    if sso_only and not enabled:
        raise ImproperlyConfigured(
            "SSO_ONLY=true needs OpenID Connect sign-in configured (OIDC_ISSUER or "
            "OIDC_PROVIDER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): otherwise nobody could log in."
        )
    backends = list(backends)
    if enabled:
        # In SSO only mode no password backend stays: no path signs in with a password.
        backends = [b for b in backends if not sso_only or "ModelBackend" not in b]
        backends.append(OIDC_BACKEND)
    return {
        "OIDC_ENABLED": enabled,
        "OIDC_PROVIDER": provider,
        "OIDC_ISSUER": issuer if enabled else "",
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        "OIDC_ALLOWED_DOMAINS": sorted({d.strip().lower().lstrip("@") for d in allowed_domains}),
        "OIDC_BUTTON_LABEL": (button_label or "").strip() or PROVIDERS[provider],
        "OIDC_UNKNOWN_USERS": unknown_users,
        "SSO_ONLY": bool(sso_only),
        "AUTHENTICATION_BACKENDS": backends,
        # mozilla-django-oidc's own settings; its endpoints come from the issuer's discovery
        # document (accounts/sso.py), fetched at the first sign-in and cached.
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": 10,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_callback",
        "LOGIN_REDIRECT_URL_FAILURE": "login",
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
    }
