from django.urls import path

from reviews.views import projects

app_name = "reviews"

urlpatterns = [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create_view, name="project_create"),
    path("projects/<int:project_pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_pk>/edit/", projects.project_edit, name="project_edit"),
]
