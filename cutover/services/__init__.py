"""Writes of the cutover plan, one module per concern (see STYLE.md)."""

from .plans import plan_create, plan_set_signoff_roles, plan_update
from .runsheet import runsheet_import, steps_from_typical, typical_steps
from .signoffs import plan_sign_off, plan_sign_off_revoke, plan_signoff_state
from .steps import (
    dependency_add,
    dependency_remove,
    step_add,
    step_delete,
    step_move,
    step_update,
)

__all__ = [
    "dependency_add",
    "dependency_remove",
    "plan_create",
    "plan_set_signoff_roles",
    "plan_sign_off",
    "plan_sign_off_revoke",
    "plan_signoff_state",
    "plan_update",
    "runsheet_import",
    "step_add",
    "step_delete",
    "step_move",
    "step_update",
    "steps_from_typical",
    "typical_steps",
]
