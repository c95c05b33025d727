"""The run pages: the rehearsals of a plan, the run sheet in run mode (mark a step, correct
a time, raise a finding), finishing a rehearsal, and its report with the trend."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from cutover import run_selectors, selectors
from cutover.forms_runs import CorrectionForm, MarkForm, RehearsalForm
from cutover.models import RunKind, RunStatus
from cutover.run_rows import row_html
from cutover.services import runs as run_services
from projects import permissions
from projects.decorators import project_view
from risks.forms import QuickAddForm

ROW = "cutover/run.html#mark-answer"


def _write_rows(request, run, rows, *, problem="", oob=False):
    token = get_token(request)
    for row in rows:
        row.html = row_html(row, run_status=run.status, csrf_token=token, problem=problem, oob=oob)


def _run_url(access, run, step_number=None):
    url = reverse("cutover:run", args=[access.project.pk, run.pk])
    return f"{url}#step-{step_number}" if step_number else url


def _messages_of(error):
    return " ".join(getattr(error, "messages", [str(error)]))


@require_http_methods(["GET"])
@project_view
def runs_list(request, access):
    """The plan's rehearsals (and its live run), the trend, and starting the next one."""
    return runs_page(request, access)


def runs_page(request, access, *, rehearsal_form=None, status=200):
    """The runs page, with the planned rehearsals and the form to plan one."""
    version = selectors.version_get(access)
    runs = run_selectors.runs_of(access)
    can_run = permissions.can_run_cutover(access)
    if rehearsal_form is None and can_run:
        rehearsal_form = RehearsalForm(time_zone=version.time_zone)
    context = {
        "project": access.project, "version": version, "runs": runs,
        "running": next((run for run in runs if run.status == RunStatus.RUNNING), None),
        "trend": run_selectors.rehearsal_trend(version.plan),
        "can_run": can_run,
        "step_count": version.steps.filter(is_rollback=False).count(),
        "planned": run_selectors.planned_rehearsals_of(access),
        "rehearsal_form": rehearsal_form,
    }  # fmt: skip
    return render(request, "cutover/runs.html", context, status=status)


@require_http_methods(["POST"])
@project_view
def run_start_view(request, access):
    version = selectors.version_get(access)
    try:
        run = run_services.run_start(
            plan=version.plan, acting_user=request.user, kind=RunKind.REHEARSAL
        )
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect(reverse("cutover:runs", args=[access.project.pk]))
    messages.success(
        request,
        f"Rehearsal {run.number} of version {run.plan_version.number} started. Owners mark "
        "their steps here as they go.",
    )
    return redirect(_run_url(access, run))


@require_http_methods(["GET"])
@project_view
def run_detail(request, access, run_pk):
    run = run_selectors.run_get(access, run_pk)
    sheet = run_selectors.run_sheet(access, run)
    _write_rows(request, run, sheet.rows)
    context = {"project": access.project, "run": run, "sheet": sheet, "version": sheet.version}
    return render(request, "cutover/run.html", context)


@require_http_methods(["POST"])
@project_view
def step_mark_view(request, access, run_pk, step_pk):
    """One click: started, done, failed or skipped. htmx gets the row back (with the
    message when the mark was refused); without JavaScript, the page again."""
    run = run_selectors.run_get(access, run_pk)
    step = run_selectors.step_of_run(run, step_pk)
    form = MarkForm(request.POST)
    problem, status = "", 200
    if not form.is_valid():
        problem, status = "Choose start, done, failed or skip.", 422
    else:
        try:
            run_services.step_record(
                run=run, step=step, acting_user=request.user, kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"], seen=form.cleaned_data["seen"],
            )  # fmt: skip
        except run_services.StaleMark as error:
            problem, status = _messages_of(error), 409
        except ValidationError as error:
            problem, status = _messages_of(error), 422
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect(_run_url(access, run, step.number))
    sheet, row = run_selectors.run_row(access, run, step.pk)
    # Its successors may have become ready: their rows change too (out of band).
    also = [other for other in sheet.rows if other.step.pk in sheet.successors.get(step.pk, ())]
    _write_rows(request, run, [row], problem=problem)
    _write_rows(request, run, also, oob=True)
    context = {
        "project": access.project, "run": run, "sheet": sheet, "row": row, "also": also,
        "version": sheet.version,
    }  # fmt: skip
    return render(request, ROW, context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def event_correct_view(request, access, run_pk, event_pk):
    run = run_selectors.run_get(access, run_pk)
    event = run_selectors.event_get(run, event_pk)
    original = event.corrects or event
    if not permissions.can_record_step(access, original.step):
        raise PermissionDenied("Only the step's owners and the cutover manager correct its times.")
    form = CorrectionForm(
        request.POST or None, time_zone=run.plan_version.time_zone, event_at=event.at
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                run_services.step_correct(
                    event=original, acting_user=request.user, at=form.cleaned_data["at"],
                    note=form.cleaned_data["note"],
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Step {original.step.number}: the {original.get_kind_display().lower()} "
                    "time is corrected; the original stays in its history.",
                )
                return redirect(_run_url(access, run, original.step.number))
    history = run_selectors.step_history(access, run, original.step)
    context = {
        "project": access.project, "run": run, "event": original, "step": original.step,
        "form": form, "history": history, "version": run.plan_version,
    }  # fmt: skip
    return render(request, "cutover/run_correct.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def step_finding_view(request, access, run_pk, step_pk):
    """A problem found at a step becomes a finding of the risk register, with its first
    action, linked to the step."""
    run = run_selectors.run_get(access, run_pk)
    step = run_selectors.step_of_run(run, step_pk)
    if not (permissions.can_record_step(access, step) and permissions.can_raise_risk(access)):
        raise PermissionDenied(
            "Only the step's owners and the cutover manager raise findings from it."
        )
    form = QuickAddForm(
        request.POST or None, project=access.project, item=step,
        initial={"type": "issue", "title": f"Step {step.number}: "},
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                risk = run_services.step_finding_raise(
                    run=run, step=step, acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                add_service_errors(
                    form, error,
                    fields={"first_action.description": "action_description",
                            "first_action.owner": "owner", "first_action.due_date": "due_date"},
                )  # fmt: skip
            else:
                messages.success(
                    request, f"{risk.reference} “{risk.title}” is in the risk register."
                )
                return redirect(_run_url(access, run, step.number))
    context = {
        "project": access.project, "run": run, "step": step, "form": form,
        "version": run.plan_version,
    }  # fmt: skip
    return render(request, "cutover/run_finding.html", context, status=status)


def _close(request, access, run_pk, service, done):
    run = run_selectors.run_get(access, run_pk)
    try:
        service(run=run, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect(_run_url(access, run))
    messages.success(request, f"{run} {done}.")
    return redirect(reverse("cutover:run_report", args=[access.project.pk, run.pk]))


@require_http_methods(["POST"])
@project_view
def run_finish_view(request, access, run_pk):
    return _close(request, access, run_pk, run_services.run_finish, "is finished")


@require_http_methods(["POST"])
@project_view
def run_abandon_view(request, access, run_pk):
    return _close(request, access, run_pk, run_services.run_abandon, "is abandoned")


@require_http_methods(["GET"])
@project_view
def run_report_view(request, access, run_pk):
    run = run_selectors.run_get(access, run_pk)
    report = run_selectors.run_report(access, run)
    context = {
        "project": access.project, "run": run, "report": report, "sheet": report.sheet,
        "version": run.plan_version,
    }  # fmt: skip
    return render(request, "cutover/run_report.html", context)
