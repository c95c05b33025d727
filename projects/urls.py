from django.urls import path

from projects import views

app_name = "projects"

project = "projects/<int:project_pk>/"
member = project + "members/<int:membership_pk>/"

urlpatterns = [
    path("projects/new/", views.project_create_view, name="project_create"),
    path(project + "edit/", views.project_edit, name="project_edit"),
    path(project + "members/", views.members, name="members"),
    path(project + "members/invite/", views.member_invite, name="member_invite"),
    path(
        project + "invitations/<int:invitation_pk>/resend/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        project + "invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
    path(member + "role/", views.member_change_role, name="member_change_role"),
    path(
        member + "stakeholder-roles/",
        views.member_stakeholder_roles,
        name="member_stakeholder_roles",
    ),
    path(member + "remove/", views.member_remove, name="member_remove"),
]
