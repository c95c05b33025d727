"""Projects and their members (read)."""

from rest_framework import generics
from rest_framework.response import Response

from api import serializers
from api.views.common import ProjectList, ProjectScoped
from projects.selectors import memberships_of_project, projects_for_user


class ProjectListView(generics.ListAPIView):
    """The projects you are a member of, with your role in each."""

    serializer_class = serializers.ProjectSerializer

    def get_queryset(self):
        return projects_for_user(self.request.user).order_by("go_live_date", "name", "pk")


class ProjectDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.ProjectSerializer

    def get(self, request, project_pk):
        project = self.access.project
        project.my_role = self.access.role
        return Response(self.get_serializer(project).data)


class MemberListView(ProjectList):
    """The project's members, their roles and the stakeholder roles they sign as."""

    serializer_class = serializers.MemberSerializer

    def get_queryset(self):
        return memberships_of_project(self.access.project, order=("user__full_name", "pk"))
