"""Reads of the accounts app, scoped to the user who asks."""

from django.shortcuts import get_object_or_404

from accounts.models import AccessToken


def access_tokens_of(user):
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(AccessToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def access_token_get(user, token_pk):
    """One of the user's own tokens (anyone else's is a 404)."""
    return get_object_or_404(AccessToken, user=user, pk=token_pk)
