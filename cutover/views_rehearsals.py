"""Planned rehearsals on the runs page: book one (its invitations are e-mailed), re-plan
it (an update), cancel it (a cancellation), and its .ics to download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.calendar import PUBLISH, calendar_bytes
from core.forms import add_service_errors
from cutover import run_selectors, selectors
from cutover.forms_runs import RehearsalForm
from cutover.services import rehearsals as rehearsal_services
from cutover.views_runs import runs_page
from projects import permissions
from projects.decorators import project_view


def _runs_url(access):
    return reverse("cutover:runs", args=[access.project.pk]) + "#planned-heading"


def _require_runner(access):
    if not permissions.can_run_cutover(access):
        raise PermissionDenied("Only the project manager and the cutover manager plan rehearsals.")


@require_http_methods(["POST"])
@project_view
def rehearsal_plan_view(request, access):
    """The small form on the runs page. A refused form shows the runs page again with it."""
    version = selectors.version_get(access)
    _require_runner(access)
    form = RehearsalForm(request.POST, time_zone=version.time_zone)
    if form.is_valid():
        try:
            rehearsal_services.rehearsal_plan(
                plan=version.plan, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Rehearsal planned. The step owners, their backups and the cutover people "
                "are being e-mailed a calendar invitation.",
            )
            return redirect(_runs_url(access))
    return runs_page(request, access, rehearsal_form=form, status=400)


@require_http_methods(["GET", "POST"])
@project_view
def rehearsal_edit_view(request, access, rehearsal_pk):
    rehearsal = run_selectors.planned_rehearsal_get(access, rehearsal_pk)
    _require_runner(access)
    version = selectors.version_get(access)
    if rehearsal.is_cancelled:
        messages.error(request, "This rehearsal is cancelled; plan a new one instead.")
        return redirect(_runs_url(access))
    form = RehearsalForm(request.POST or None, time_zone=version.time_zone, rehearsal=rehearsal)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            sequence = rehearsal.sequence
            try:
                rehearsal = rehearsal_services.rehearsal_replan(
                    rehearsal=rehearsal, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Rehearsal re-planned. Everyone invited is being e-mailed the update."
                    if rehearsal.sequence != sequence
                    else "Nothing changed, so no update is sent.",
                )
                return redirect(_runs_url(access))
    context = {"project": access.project, "rehearsal": rehearsal, "form": form,
               "version": version}  # fmt: skip
    return render(request, "cutover/rehearsal_form.html", context, status=status)


@require_http_methods(["POST"])
@project_view
def rehearsal_cancel_view(request, access, rehearsal_pk):
    rehearsal = run_selectors.planned_rehearsal_get(access, rehearsal_pk)
    _require_runner(access)
    try:
        rehearsal_services.rehearsal_cancel(rehearsal=rehearsal, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Rehearsal cancelled. Everyone invited is being told.")
    return redirect(_runs_url(access))


@require_http_methods(["GET"])
@project_view
def rehearsal_ics_view(request, access, rehearsal_pk):
    """The rehearsal's .ics (METHOD:PUBLISH): the UID and current SEQUENCE of the mails."""
    rehearsal = run_selectors.planned_rehearsal_get(access, rehearsal_pk)
    data = calendar_bytes(rehearsal_services.rehearsal_event(rehearsal), method=PUBLISH)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    filename = f"cutover-rehearsal-{rehearsal.starts_at:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
