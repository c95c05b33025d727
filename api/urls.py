"""The API under /api/: version 1 of the resources, the schema and its docs.

Every view answers for itself who is calling (a token or the session, ``api.authentication``):
DRF's views are left out of the site's log-in redirect (LoginRequiredMiddleware), so a client
without credentials gets the API's 401, not a log-in page. The docs page is a page: a person
who is not signed in is sent to log in.
"""

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import JsonResponse
from django.urls import include, path, re_path, resolve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import error_body
from api.views import cutover, decisions, findings, projects, reviews, summaries

app_name = "api"


def api(view_class):
    return view_class.as_view()


@login_not_required
def no_such_resource(request, rest):
    """Any other address under /api/: a 404 in the API's one error format, not the site's page."""
    message = f"No API resource at {request.path}: the resources are listed at /api/schema/."
    if not request.path.endswith("/") and resolve(request.path + "/").func is not no_such_resource:
        message = f"No API resource at {request.path}: did you mean {request.path}/ ?"
    return JsonResponse(error_body(404, "not_found", message), status=404)


PROJECT = "projects/<int:project_pk>/"
ITEM = PROJECT + "reviews/<int:review_pk>/items/<int:item_pk>/"

v1 = [
    path("projects/", api(projects.ProjectListView), name="project_list"),
    path(PROJECT, api(projects.ProjectDetailView), name="project_detail"),
    path(PROJECT + "members/", api(projects.MemberListView), name="member_list"),
    path(PROJECT + "reviews/", api(reviews.ReviewListView), name="review_list"),
    path(PROJECT + "reviews/<int:review_pk>/", api(reviews.ReviewDetailView), name="review_detail"),
    path(PROJECT + "reviews/<int:review_pk>/items/", api(reviews.ItemListView), name="item_list"),
    path(ITEM, api(reviews.ItemDetailView), name="item_detail"),
    path(ITEM + "signoffs/", api(reviews.SignOffGiveView), name="signoff_give"),
    path(ITEM + "signoffs/revoke/", api(reviews.SignOffRevokeView), name="signoff_revoke"),
    path(PROJECT + "findings/", api(findings.FindingListView), name="finding_list"),
    path(PROJECT + "findings/<int:finding_pk>/", api(findings.FindingDetailView), name="finding_detail"),
    path(PROJECT + "findings/<int:finding_pk>/actions/", api(findings.ActionListView), name="action_list"),
    path(PROJECT + "actions/<int:action_pk>/", api(findings.ActionDetailView), name="action_detail"),
    path(PROJECT + "decisions/", api(decisions.DecisionListView), name="decision_list"),
    path(PROJECT + "decisions/<int:decision_pk>/", api(decisions.DecisionDetailView), name="decision_detail"),
    path(PROJECT + "cutover/steps/", api(cutover.StepListView), name="step_list"),
    path(PROJECT + "cutover/runs/", api(cutover.RunListView), name="run_list"),
    path(
        PROJECT + "cutover/runs/<int:run_pk>/steps/<int:step_pk>/marks/",
        api(cutover.StepMarkView),
        name="step_mark",
    ),
    path(PROJECT + "reviews/<int:review_pk>/summaries/", api(summaries.SummaryListView), name="summary_list"),
    path(PROJECT + "summaries/<int:summary_pk>/", api(summaries.SummaryDetailView), name="summary_detail"),
    path(PROJECT + "summaries/<int:summary_pk>/pdf/", api(summaries.SummaryPdfView), name="summary_pdf"),
]  # fmt: skip

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", api(SpectacularAPIView), name="schema"),
    # The docs page is for a signed-in person: it reads the schema with their session.
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Last: only what nothing above matched.
    re_path(r"^(?P<rest>.*)$", no_such_resource, name="not_found"),
]
