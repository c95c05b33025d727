"""Writes of the projects app, one module per concern (see STYLE.md)."""

from .invitations import (
    INVITATION_MAX_AGE,
    InvitationLinkError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_register,
    invitation_resend,
    invitation_revoke,
    invitation_token,
)
from .members import (
    membership_change_role,
    membership_remove,
    membership_set_signoff_roles,
)
from .projects import project_create, project_replan, project_update, require_member

__all__ = [
    "INVITATION_MAX_AGE",
    "InvitationLinkError",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_register",
    "invitation_resend",
    "invitation_revoke",
    "invitation_token",
    "membership_change_role",
    "membership_remove",
    "membership_set_signoff_roles",
    "project_create",
    "project_replan",
    "project_update",
    "require_member",
]
