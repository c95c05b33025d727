"""Summary PDFs of a review: request, follow the progress (htmx polling), download, e-mail."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.models import User
from accounts.selectors import member_users
from reviews.models import SummaryReport
from reviews.selectors.projects import project_get_for_user
from reviews.selectors.reviews import review_get_for_user
from reviews.services.summaries import default_recipients, summary_request, summary_send_request


class RecipientsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, user):
        return f"{user.full_name or user.email} <{user.email}>"


class SummaryRequestForm(forms.Form):
    recipients = RecipientsField(queryset=User.objects.none(), required=False)
    send = forms.BooleanField(
        label="E-mail it to the chosen members as soon as it is ready", required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = members

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send") and not cleaned.get("recipients"):
            self.add_error("recipients", "Choose at least one member to e-mail it to.")
        return cleaned


class SummarySendForm(forms.Form):
    recipients = RecipientsField(queryset=User.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = members


def summaries_of_review(review):
    """The review's summaries, newest first, with who asked and who receives (3 queries)."""
    return list(
        SummaryReport.objects.filter(review=review)
        .select_related("requested_by")
        .prefetch_related(
            Prefetch(
                "recipients", queryset=User.objects.order_by("full_name"), to_attr="recipient_list"
            )
        )
        .order_by("-created_at", "-pk")
    )


def _is_pending(report):
    if report.status in (SummaryReport.Status.QUEUED, SummaryReport.Status.RENDERING):
        return True
    return (
        report.status == SummaryReport.Status.READY
        and report.send_requested
        and report.sent_at is None
        and not report.send_error
    )


def _page(request, review, *, form=None, status=200):
    members = member_users(review.project)
    reports = summaries_of_review(review)
    defaults = {user.pk for user in default_recipients(review.project)}
    checked = defaults
    if form is not None and form.is_bound:
        checked = {int(pk) for pk in form.data.getlist("recipients") if str(pk).isdigit()}
    context = {
        "project": review.project,
        "review": review,
        "reports": reports,
        "pending": any(_is_pending(report) for report in reports),
        "may_request": permissions.can_request_summary(request.user, review),
        "may_send": permissions.can_send_summary(request.user, review),
        "members": list(members),
        "default_recipient_ids": defaults,
        "checked_ids": checked,
        "form": form or SummaryRequestForm(members=members),
    }
    template = "reviews/summary_list.html"
    if request.htmx and not form:
        template += "#summary-list"
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
def summary_list(request, project_pk, review_pk):
    """The summaries page; an htmx request gets the list alone (polled while in progress)."""
    review = review_get_for_user(request.user, project_pk, review_pk)
    return _page(request, review)


@require_POST
def summary_request_view(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    if not permissions.can_request_summary(request.user, review):
        raise PermissionDenied
    members = member_users(review.project)
    form = SummaryRequestForm(request.POST, members=members)
    if form.is_valid():
        chosen = list(form.cleaned_data["recipients"])
        try:
            summary_request(
                review=review,
                acting_user=request.user,
                recipients=chosen or None,
                send=form.cleaned_data["send"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                "Summary requested: it is queued and renders in the background. This page "
                "shows its progress.",
            )
            return redirect("reviews:summary_list", project_pk=project_pk, review_pk=review_pk)
    return _page(request, review, form=form, status=422)


def _report_for(request, project_pk, summary_pk):
    project = project_get_for_user(request.user, project_pk)
    report = get_object_or_404(
        SummaryReport.objects.select_related("review"), review__project=project, pk=summary_pk
    )
    report.review.project = project  # keeps the remembered role
    return report


@require_http_methods(["GET"])
def summary_download(request, project_pk, summary_pk):
    """The PDF, to project members only (a non-member gets a 404, like any foreign object)."""
    report = _report_for(request, project_pk, summary_pk)
    if not permissions.can_download_summary(request.user, report):
        raise Http404
    if report.status != SummaryReport.Status.READY or not report.file:
        raise Http404("This summary has no PDF (yet).")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The PDF file is missing.") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@require_POST
def summary_send_view(request, project_pk, summary_pk):
    """E-mail a summary to members chosen on the page."""
    report = _report_for(request, project_pk, summary_pk)
    review = report.review
    if not permissions.can_send_summary(request.user, review):
        raise PermissionDenied
    form = SummarySendForm(request.POST, members=member_users(review.project))
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
    return redirect("reviews:summary_list", project_pk=project_pk, review_pk=review.pk)
