"""Reads of the risks app, scoped to the user and shaped for the pages, by concern.

Every page's query count is constant: rows carry their counts and flags as
annotations, actions and owners come in one query per page, and the heat map is
one GROUP BY over the register's own filtered queryset. Other apps read findings
and actions only through ``outstanding`` and ``panels``.
"""

from .actions import (
    ACTIONS_PER_OWNER,
    OwnerActions,
    action_get,
    action_row,
    actions_by_owner,
    actions_export_rows,
    my_open_actions,
    my_open_actions_page,
)
from .findings import item_risks, risk_actions, risk_get, risk_history
from .heatmap import HeatMap, HeatMapCell, heatmap
from .outstanding import (
    GoLiveBlockers,
    OwnerGroup,
    go_live_blockers,
    open_action_count,
    open_actions_by_owner,
    open_blocker_count,
    open_blocker_risks,
    open_blocker_risks_query,
    open_risk_counts,
    open_risks,
    open_risks_by_score,
    open_risks_heatmap,
    overdue_actions,
    overdue_actions_query,
)
from .panels import HOME_COUNT_CAP, home_risk_panels, open_blocker_counts, project_risk_summary
from .register import (
    DEFAULT_REGISTER_SORT,
    REGISTER_SORTS,
    attach_actions,
    no_mitigation_plan_condition,
    register_filter_choices,
    register_order,
    register_page,
    register_queryset,
    register_rows,
    with_plan_flags,
)

__all__ = [
    "ACTIONS_PER_OWNER",
    "DEFAULT_REGISTER_SORT",
    "HOME_COUNT_CAP",
    "REGISTER_SORTS",
    "GoLiveBlockers",
    "HeatMap",
    "HeatMapCell",
    "OwnerActions",
    "OwnerGroup",
    "action_get",
    "action_row",
    "actions_by_owner",
    "actions_export_rows",
    "attach_actions",
    "go_live_blockers",
    "heatmap",
    "home_risk_panels",
    "item_risks",
    "my_open_actions",
    "my_open_actions_page",
    "no_mitigation_plan_condition",
    "open_action_count",
    "open_actions_by_owner",
    "open_blocker_count",
    "open_blocker_counts",
    "open_blocker_risks",
    "open_blocker_risks_query",
    "open_risk_counts",
    "open_risks",
    "open_risks_by_score",
    "open_risks_heatmap",
    "overdue_actions",
    "overdue_actions_query",
    "project_risk_summary",
    "register_filter_choices",
    "register_order",
    "register_page",
    "register_queryset",
    "register_rows",
    "risk_actions",
    "risk_get",
    "risk_history",
    "with_plan_flags",
]
