"""Writes of the support plan and hypercare (one module per concern)."""

from .hypercare import (
    check_in_log,
    exit_criterion_add,
    exit_criterion_set_status,
    hypercare_close,
    hypercare_start,
)
from .lines import (
    contact_add,
    contact_delete,
    escalation_add,
    escalation_delete,
    kt_session_save,
    line_delete,
    line_save,
)
from .plans import support_plan_create, support_plan_update
from .signoffs import refresh_status, support_plan_sign_off, support_plan_sign_off_revoke

__all__ = [
    "check_in_log",
    "contact_add",
    "contact_delete",
    "escalation_add",
    "escalation_delete",
    "exit_criterion_add",
    "exit_criterion_set_status",
    "hypercare_close",
    "hypercare_start",
    "kt_session_save",
    "line_delete",
    "line_save",
    "refresh_status",
    "support_plan_create",
    "support_plan_sign_off",
    "support_plan_sign_off_revoke",
    "support_plan_update",
]
