from django.urls import path

from projects import views

app_name = "projects"

project = "projects/<int:project_pk>/"
member = project + "members/<int:membership_pk>/"

urlpatterns = [
    path("projects/new/", views.project_create_view, name="project_create"),
    path(project + "edit/", views.project_edit, name="project_edit"),
    path(project + "members/", views.members, name="members"),
    path(project + "members/add/", views.member_add, name="member_add"),
    path(member + "role/", views.member_change_role, name="member_change_role"),
    path(
        member + "stakeholder-roles/",
        views.member_stakeholder_roles,
        name="member_stakeholder_roles",
    ),
    path(member + "remove/", views.member_remove, name="member_remove"),
]
