"""Who is calling: a personal access token (``Authorization: Bearer``) or the browser session."""

from rest_framework import authentication, exceptions

from accounts.services import access_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``; an unknown, expired or revoked token is a 401.

    ``request.auth`` is the AccessToken, whose scope ``api.permissions.TokenScope`` reads.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send one token: “Authorization: Bearer <token>”."
            )
        token = access_token_authenticate(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(
                "This token is unknown, expired or revoked. Make a new one on your profile page."
            )
        return token.user, token

    def authenticate_header(self, request):
        # Makes refused requests 401 (with this challenge) rather than 403.
        return f'{self.keyword} realm="api"'


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser, with Django's CSRF check on every unsafe method (DRF's own)."""
