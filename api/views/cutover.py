"""Cutover steps (read) and marking them started or done in a rehearsal or the live run."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api import serializers
from api.views.common import ProjectList, ProjectScoped, created, valid
from cutover import run_selectors
from cutover.selectors import steps_of, version_get
from cutover.services.runs import step_record


class StepListView(ProjectList):
    """The steps of the plan's current version, in run sheet order (none without a plan)."""

    serializer_class = serializers.StepSerializer

    def get_queryset(self):
        version = version_get(self.access, missing=None)
        return steps_of(version) if version is not None else []


class RunListView(ProjectList):
    """Rehearsals and the live cutover, newest first."""

    serializer_class = serializers.RunSerializer

    def get_queryset(self):
        return run_selectors.runs_of(self.access)


class StepMarkView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.StepEventSerializer

    @extend_schema(
        request=serializers.StepMarkSerializer, responses={201: serializers.StepEventSerializer}
    )
    def post(self, request, project_pk, run_pk, step_pk):
        """Mark a step started or done in a running rehearsal or the live cutover: the step's
        owner, its backup and the cutover manager. ``seen`` guards against marking on top of
        someone else's mark (409)."""
        run = run_selectors.run_get(self.access, run_pk)
        step = run_selectors.step_of_run(run, step_pk)
        data = valid(serializers.StepMarkSerializer, request)
        event = step_record(run=run, step=step, acting_user=request.user, **data)
        return created(self.get_serializer(event).data)
