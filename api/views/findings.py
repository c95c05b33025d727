"""Findings (risks, issues, assertions) and their mitigation actions: create, read, update."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import serializers
from api.views.common import ProjectList, ProjectScoped, created, filters_from, valid
from projects.selectors import member_users
from reviews.selectors.items import project_item_get
from risks import selectors, services
from risks.forms import RegisterFilterForm
from risks.models import RiskStatus, RiskType, SeverityBand
from risks.selectors.register import REGISTER_PAGE_FIELDS

SORTS = sorted([*selectors.REGISTER_SORTS, *(f"-{name}" for name in selectors.REGISTER_SORTS)])
# What a row of the API's register shows beyond the page's.
API_FIELDS = ("version", "review", "area__key")


def _member(access, user_id, field):
    user = member_users(access.project).filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: "Choose a member of the project."})
    return user


def _finding_body(access, pk, request):
    risk = selectors.risk_get(access, pk)
    risk.action_list = selectors.risk_actions(risk)
    return serializers.FindingDetailSerializer(risk, context={"request": request}).data


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Words in the title or description"),
        OpenApiParameter("type", str, enum=RiskType.values),
        OpenApiParameter("status", str, enum=["active", *RiskStatus.values]),
        OpenApiParameter("severity", str, enum=SeverityBand.values),
        OpenApiParameter("blocker", str, enum=["yes", "no"]),
        OpenApiParameter("plan", str, enum=["missing"], description="No mitigation plan"),
        OpenApiParameter("owner", int, description="An action owner's user id"),
        OpenApiParameter("area", str, description="A checklist area's key"),
        OpenApiParameter("review", int, description="A review's id"),
        OpenApiParameter("likelihood", int, enum=[1, 2, 3, 4, 5]),
        OpenApiParameter("impact", int, enum=[1, 2, 3, 4, 5]),
        OpenApiParameter("sort", str, enum=SORTS),
    ]
)  # fmt: skip
class FindingListView(ProjectList):
    """The risk register: the same filters and sort as its page."""

    serializer_class = serializers.FindingSerializer

    def get_queryset(self):
        project = self.access.project
        form = RegisterFilterForm(
            self.request.query_params, **selectors.register_filter_choices(project)
        )
        filters = filters_from(form)
        sort = filters.pop("sort", None)
        if sort is not None and sort not in SORTS:
            raise ValidationError({"sort": [f"Sort by one of {', '.join(SORTS)}."]})
        rows = selectors.register_rows(project, filters, sort)
        return rows.only(*REGISTER_PAGE_FIELDS, *API_FIELDS)

    @extend_schema(
        request=serializers.FindingCreateSerializer,
        responses={201: serializers.FindingDetailSerializer},
    )
    def post(self, request, project_pk):
        """Raise a finding, with its first mitigation action if given."""
        data = valid(serializers.FindingCreateSerializer, request)
        item_id = data.pop("review_item_id", None)
        if item_id is not None:
            data["review_item"] = project_item_get(self.access, item_id)
        first = data.pop("first_action", None)
        if first:
            owner = _member(self.access, first.pop("owner_id"), "first_action.owner_id")
            data["first_action"] = {**first, "owner": owner}
        risk = services.risk_create(project=self.access.project, acting_user=request.user, **data)
        return created(_finding_body(self.access, risk.pk, request))


class FindingDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.FindingDetailSerializer

    def get(self, request, project_pk, finding_pk):
        return Response(_finding_body(self.access, finding_pk, request))

    @extend_schema(request=serializers.FindingUpdateSerializer)
    def patch(self, request, project_pk, finding_pk):
        """Change a finding; a stale ``version`` is a 409 naming who changed what since."""
        risk = selectors.risk_get(self.access, finding_pk)
        data = valid(serializers.FindingUpdateSerializer, request)
        version = data.pop("version")
        services.risk_update(risk=risk, acting_user=request.user, version=version, **data)
        return Response(_finding_body(self.access, finding_pk, request))


class ActionListView(ProjectList):
    """A finding's mitigation actions, by due date."""

    serializer_class = serializers.ActionSerializer

    def get_queryset(self):
        return selectors.risk_actions(selectors.risk_get(self.access, self.kwargs["finding_pk"]))

    @extend_schema(
        request=serializers.ActionCreateSerializer, responses={201: serializers.ActionSerializer}
    )
    def post(self, request, project_pk, finding_pk):
        """Add an action (one owner, a member) to the finding's mitigation plan."""
        risk = selectors.risk_get(self.access, finding_pk)
        data = valid(serializers.ActionCreateSerializer, request)
        data["owner"] = _member(self.access, data.pop("owner_id"), "owner_id")
        action = services.action_create(risk=risk, acting_user=request.user, **data)
        return created(self.get_serializer(selectors.action_get(self.access, action.pk)).data)


class ActionDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.ActionSerializer

    def get(self, request, project_pk, action_pk):
        return Response(self.get_serializer(selectors.action_get(self.access, action_pk)).data)

    @extend_schema(request=serializers.ActionUpdateSerializer)
    def patch(self, request, project_pk, action_pk):
        """Notes (the owner), description and due date (who edits the finding), status (the
        owner, the facilitator, the project manager). A stale ``version`` is a 409."""
        action = selectors.action_get(self.access, action_pk)
        data = valid(serializers.ActionUpdateSerializer, request)
        status = data.pop("status", None)
        with transaction.atomic():
            action = services.action_update(action=action, acting_user=request.user, **data)
            if status is not None:
                services.action_update_status(
                    action=action, acting_user=request.user, status=status
                )
        return Response(self.get_serializer(selectors.action_get(self.access, action_pk)).data)
