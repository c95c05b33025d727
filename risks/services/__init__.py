"""Writes of the risks app: findings and their mitigation actions (see STYLE.md).

Every function is keyword-only, atomic, checks the acting user's permission and
the business rules, and records history.
"""

from .actions import (
    action_create,
    action_reassign,
    action_update,
    action_update_status,
    actions_reassign,
)
from .risks import risk_accept, risk_acceptances_expire, risk_create, risk_update

__all__ = [
    "action_create",
    "action_reassign",
    "action_update",
    "action_update_status",
    "actions_reassign",
    "risk_accept",
    "risk_acceptances_expire",
    "risk_create",
    "risk_update",
]
