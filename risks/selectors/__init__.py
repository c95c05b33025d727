"""Reads of the risks app, scoped to the user and shaped for the pages, by concern.

Every page's query count is constant: rows carry their counts and flags as
annotations, actions and owners come in one query per page, and the heat map is
one GROUP BY over the register's own filtered queryset.
"""

from .actions import (
    ACTIONS_PER_OWNER,
    OwnerActions,
    action_get_for_project,
    action_row,
    actions_by_owner,
    actions_export_rows,
    my_open_actions,
    my_open_actions_page,
)
from .findings import item_risk_counts, item_risks, risk_actions, risk_get_for_project, risk_history
from .heatmap import HeatMap, HeatMapCell, heatmap
from .register import (
    DEFAULT_REGISTER_SORT,
    REGISTER_SORTS,
    attach_actions,
    no_mitigation_plan_condition,
    register_filter_choices,
    register_order,
    register_queryset,
    register_rows,
    with_plan_flags,
)
from .summaries import home_risk_panels, project_risk_summary

__all__ = [
    "ACTIONS_PER_OWNER",
    "DEFAULT_REGISTER_SORT",
    "REGISTER_SORTS",
    "HeatMap",
    "HeatMapCell",
    "OwnerActions",
    "action_get_for_project",
    "action_row",
    "actions_by_owner",
    "actions_export_rows",
    "attach_actions",
    "heatmap",
    "home_risk_panels",
    "item_risk_counts",
    "item_risks",
    "my_open_actions",
    "my_open_actions_page",
    "no_mitigation_plan_condition",
    "project_risk_summary",
    "register_filter_choices",
    "register_order",
    "register_queryset",
    "register_rows",
    "risk_actions",
    "risk_get_for_project",
    "risk_history",
    "with_plan_flags",
]
