"""Summary PDFs of a review: request, follow the progress (htmx polling), download, e-mail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.storage import stored_file_response
from projects import permissions
from projects.decorators import project_view
from projects.selectors import member_users
from reviews.selectors.reviews import review_get
from summaries.forms import SummaryRequestForm, SummarySendForm
from summaries.models import SummaryReport
from summaries.selectors import report_get, summaries_of_review
from summaries.services import default_recipients, summary_request, summary_send_request


def _page(request, access, review, *, form=None, status=200):
    members = member_users(access.project)
    reports = summaries_of_review(review)
    defaults = {user.pk for user in default_recipients(access.project)}
    checked = defaults
    if form is not None and form.is_bound:
        checked = {int(pk) for pk in form.data.getlist("recipients") if str(pk).isdigit()}
    context = {
        "review": review,
        "reports": reports,
        "pending": any(report.is_pending for report in reports),
        "may_request": permissions.can_request_summary(access),
        "may_send": permissions.can_send_summary(access),
        "members": list(members),
        "default_recipient_ids": defaults,
        "checked_ids": checked,
        "form": form or SummaryRequestForm(members=members),
    }
    template = "summaries/summary_list.html"
    if request.htmx and not form:
        template += "#summary-list"
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@project_view
def summary_list(request, access, review_pk):
    """The summaries page; an htmx request gets the list alone (polled while in progress)."""
    return _page(request, access, review_get(access, review_pk))


@require_POST
@project_view
def summary_request_view(request, access, review_pk):
    review = review_get(access, review_pk)
    if not permissions.can_request_summary(access):
        raise PermissionDenied
    form = SummaryRequestForm(request.POST, members=member_users(access.project))
    if form.is_valid():
        chosen = list(form.cleaned_data["recipients"])
        try:
            report = summary_request(
                review=review,
                acting_user=request.user,
                recipients=chosen or None,
                send=form.cleaned_data["send"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if report.was_under_way:
                messages.info(
                    request,
                    f"A summary of this review is already being produced (requested by "
                    f"{report.requested_by} at {timezone.localtime(report.created_at):%H:%M}); "
                    "this page shows its progress"
                    + (
                        " and it will be e-mailed as you asked."
                        if form.cleaned_data["send"]
                        else "."
                    ),
                )
            else:
                messages.success(
                    request,
                    "Summary requested: it is queued and renders in the background. This page "
                    "shows its progress.",
                )
            return redirect(
                "summaries:summary_list", project_pk=access.project.pk, review_pk=review.pk
            )
    return _page(request, access, review, form=form, status=422)


@require_http_methods(["GET"])
@project_view
def summary_download(request, access, summary_pk):
    """The PDF, to project members only (a non-member gets a 404, like any foreign object)."""
    report = report_get(access, summary_pk)
    if not permissions.can_download_summary(access):
        raise Http404
    return pdf_response(report)


def pdf_response(report):
    """The report's PDF as a download; a 404 while it has none (the API serves it too)."""
    if report.status != SummaryReport.Status.READY or not report.file:
        raise Http404("This summary has no PDF (yet).")
    try:
        return stored_file_response(
            report.file,
            filename=report.file.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )
    except FileNotFoundError as error:
        raise Http404("The PDF file is missing.") from error


@require_POST
@project_view
def summary_send_view(request, access, summary_pk):
    """E-mail a summary to members chosen on the page."""
    report = report_get(access, summary_pk)
    if not permissions.can_send_summary(access):
        raise PermissionDenied
    form = SummarySendForm(request.POST, members=member_users(access.project))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        try:
            report = summary_send_request(
                report=report,
                acting_user=request.user,
                recipients=form.cleaned_data["recipients"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            report.refresh_from_db()
            names = ", ".join(str(user) for user in form.cleaned_data["recipients"])
            if report.sent_at:
                messages.success(request, f"Summary sent to {names}.")
            else:
                messages.success(request, f"Summary queued for e-mail to {names}.")
    return redirect(
        "summaries:summary_list", project_pk=access.project.pk, review_pk=report.review_id
    )
