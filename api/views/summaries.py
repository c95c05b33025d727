"""Summary PDFs: request one, read its status, download it (members only)."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, renderers
from rest_framework.response import Response

from api import serializers
from api.views.common import ProjectList, ProjectScoped, require, valid
from projects import permissions
from reviews.selectors.reviews import review_get
from summaries.selectors import report_get, summaries_of_review
from summaries.services import summary_request
from summaries.views import pdf_response


class SummaryListView(ProjectList):
    """A review's summaries, newest first."""

    serializer_class = serializers.SummarySerializer

    def get_queryset(self):
        review = review_get(self.access, self.kwargs["review_pk"])
        reports = summaries_of_review(review)
        for report in reports:
            report.review = review
        return reports

    @extend_schema(
        request=serializers.SummaryRequestSerializer,
        responses={202: serializers.SummarySerializer},
    )
    def post(self, request, project_pk, review_pk):
        """Ask for a summary PDF: it is rendered in the background (poll its status). A
        request while one is under way joins it."""
        review = review_get(self.access, review_pk)
        require(
            permissions.can_request_summary(self.access),
            "Only the facilitator or the project manager requests a summary.",
        )
        data = valid(serializers.SummaryRequestSerializer, request)
        report = summary_request(review=review, acting_user=request.user, send=data["send"])
        report.review = review
        return Response(self.get_serializer(report).data, status=202)


class SummaryDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.SummarySerializer

    def get(self, request, project_pk, summary_pk):
        return Response(self.get_serializer(report_get(self.access, summary_pk)).data)


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; errors stay JSON for others."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class SummaryPdfView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.SummarySerializer
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF")}
    )
    def get(self, request, project_pk, summary_pk):
        """The PDF, to members of the project; a 404 until it is ready."""
        report = report_get(self.access, summary_pk)
        require(permissions.can_download_summary(self.access), "Members download summaries.")
        return pdf_response(report)
