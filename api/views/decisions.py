"""Go / no-go decisions with their frozen snapshot (read)."""

from rest_framework import generics
from rest_framework.response import Response

from api import serializers
from api.views.common import ProjectList, ProjectScoped
from decisions.selectors import decision_get, decisions_of_project_query


class DecisionListView(ProjectList):
    """The project's recorded decisions, newest first (the snapshot is on each one's own URL)."""

    serializer_class = serializers.DecisionSerializer

    def get_queryset(self):
        return decisions_of_project_query(self.access.project)


class DecisionDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.DecisionDetailSerializer

    def get(self, request, project_pk, decision_pk):
        decision = decision_get(self.access, decision_pk)
        return Response(self.get_serializer(decision).data)
