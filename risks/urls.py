from django.urls import path

from risks.views import actions as action_views
from risks.views import findings, register

app_name = "risks"

project = "projects/<int:project_pk>/"
risk = project + "risks/<int:risk_pk>/"
action = project + "actions/<int:action_pk>/"

urlpatterns = [
    path(project + "risks/", register.register, name="register"),
    path(project + "risks/new/", findings.risk_create, name="risk_create"),
    path(
        project + "risks/export.csv",
        register.register_export,
        {"file_format": "csv"},
        name="register_csv",
    ),
    path(
        project + "risks/export.xlsx",
        register.register_export,
        {"file_format": "xlsx"},
        name="register_xlsx",
    ),
    path(risk, findings.risk_detail, name="risk_detail"),
    path(risk + "edit/", findings.risk_edit, name="risk_edit"),
    path(risk + "accept/", findings.risk_accept, name="risk_accept"),
    path(risk + "actions/new/", findings.action_create, name="action_create"),
    path(project + "actions/", action_views.actions_by_owner, name="actions_by_owner"),
    path(
        project + "actions/export.csv",
        register.actions_export,
        {"file_format": "csv"},
        name="actions_csv",
    ),
    path(
        project + "actions/export.xlsx",
        register.actions_export,
        {"file_format": "xlsx"},
        name="actions_xlsx",
    ),
    path(action + "status/", action_views.action_status, name="action_status"),
    path(action + "edit/", action_views.action_edit, name="action_edit"),
    path(project + "actions/reassign/", action_views.actions_reassign, name="actions_reassign"),
    path(project + "items/<int:item_pk>/risks/", findings.item_findings, name="item_findings"),
    path(project + "risks/blockers/", findings.blocker_findings, name="blocker_findings"),
    path(project + "items/<int:item_pk>/risks/quick-add/", findings.quick_add, name="quick_add"),
    path("my-actions/", action_views.my_actions, name="my_actions"),
]
