from django.urls import path

from support import views

app_name = "support"

plan = "projects/<int:project_pk>/support/"

urlpatterns = [
    path(plan, views.plan_detail, name="plan"),
    path(plan + "create/", views.plan_create_view, name="plan_create"),
    path(plan + "settings/", views.plan_settings, name="plan_settings"),
    path(plan + "coverage/", views.coverage_view, name="coverage"),
    path(plan + "sign-off/", views.sign_off_view, name="sign_off"),
    path(plan + "sign-off/revoke/", views.sign_off_revoke_view, name="sign_off_revoke"),
    path(plan + "lines/new/", views.line_add, name="line_add"),
    path(plan + "lines/<int:line_pk>/", views.line_edit, name="line_edit"),
    path(plan + "lines/<int:line_pk>/delete/", views.line_delete_view, name="line_delete"),
    path(plan + "lines/<int:line_pk>/contacts/", views.contact_add_view, name="contact_add"),
    path(
        plan + "contacts/<int:contact_pk>/delete/",
        views.contact_delete_view,
        name="contact_delete",
    ),
    path(plan + "escalation/", views.escalation_add_view, name="escalation_add"),
    path(
        plan + "escalation/<int:level_pk>/delete/",
        views.escalation_delete_view,
        name="escalation_delete",
    ),
    path(plan + "knowledge-transfer/new/", views.kt_add, name="kt_add"),
    path(plan + "knowledge-transfer/<int:session_pk>/", views.kt_edit, name="kt_edit"),
    path(plan + "hypercare/", views.hypercare, name="hypercare"),
    path(plan + "hypercare/start/", views.hypercare_start_view, name="hypercare_start"),
    path(plan + "hypercare/close/", views.hypercare_close_view, name="hypercare_close"),
    path(plan + "hypercare/criteria/", views.criterion_add_view, name="criterion_add"),
    path(
        plan + "hypercare/criteria/<int:exit_criterion_pk>/",
        views.criterion_status_view,
        name="criterion_status",
    ),
    path(plan + "hypercare/check-ins/", views.check_in_view, name="check_in"),
]
