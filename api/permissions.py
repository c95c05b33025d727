"""The API's gate: signed in, and a read token never writes.

What a person may do in a project is answered by ``projects.permissions`` (the pages' own
predicates), called by the views and the services; nothing here repeats those rules.
"""

from rest_framework import permissions


class TokenScope(permissions.BasePermission):
    """Authenticated; with a read-scope token, safe methods only."""

    message = "This token can only read; make a read and write token to change things."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if (
            request.method in permissions.SAFE_METHODS
            or token is None
            or not hasattr(token, "allows_writes")
        ):
            return True
        return token.allows_writes
