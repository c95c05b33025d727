"""The cutover plan pages: the plan (window, fit, timeline, run sheet, sign-offs, versions),
its settings, steps, import and export, sign-off, history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from cutover import selectors, services
from cutover.forms import (
    MoveForm,
    PlanForm,
    PlanSignOffForm,
    RunSheetImportForm,
    StepForm,
    StepNotesForm,
)
from cutover.models import PlanStatus
from cutover.runsheet import RunSheetError, export_rows, to_csv, to_xlsx
from projects import permissions
from projects.decorators import project_view

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_url(access):
    return reverse("cutover:plan", args=[access.project.pk])


def _require_editor(access):
    if not permissions.can_edit_cutover_plan(access):
        raise PermissionDenied(
            "Only the project manager and the cutover manager change the cutover plan."
        )


def _render_plan(request, access, version, *, create_form=None, signoff_form=None, status=200):
    view = selectors.plan_view(access, version)
    editable = version.status != PlanStatus.SUPERSEDED
    can_edit = editable and permissions.can_edit_cutover_plan(access)
    my_roles = selectors.my_signoff_roles(access, view.plan) if editable else []
    mine = next((r for r in view.signoff_state.current if r.signer_id == access.user.pk), None)
    context = {
        "project": access.project,
        "view": view,
        "version": version,
        "editable": editable,
        "can_edit": can_edit,
        "my_roles": my_roles,
        "my_signoff": mine,
        "signoff_form": signoff_form
        or PlanSignOffForm(
            initial={"version": version.version, "as_role": my_roles[0][0] if my_roles else ""}
        ),
    }
    return render(request, "cutover/plan.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def plan_detail(request, access):
    version = selectors.version_get(access, missing=None)
    if version is None:  # no plan yet
        form = PlanForm() if permissions.can_edit_cutover_plan(access) else None
        return render(request, "cutover/plan_empty.html", {"project": access.project, "form": form})
    return _render_plan(request, access, version)


@require_http_methods(["GET"])
@project_view
def version_detail(request, access, number):
    version = selectors.version_get(access, number)
    if version.is_current:
        return redirect(_plan_url(access))
    return _render_plan(request, access, version)


@require_http_methods(["POST"])
@project_view
def plan_create_view(request, access):
    _require_editor(access)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_create(
                project=access.project, acting_user=request.user,
                signoff_roles=form.cleaned_data["signoff_roles"],
                **{k: v for k, v in form.settings().items() if k != "point_of_no_return_step"},
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Cutover plan created. Now add its steps.")
            return redirect(_plan_url(access))
    context = {"project": access.project, "form": form}
    return render(request, "cutover/plan_empty.html", context, status=400)


@require_http_methods(["GET", "POST"])
@project_view
def plan_settings(request, access):
    _require_editor(access)
    version = selectors.version_get(access)
    form = PlanForm(request.POST or None, version=version)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.plan_update(
                    plan_version=version, acting_user=request.user,
                    version=form.cleaned_data["version"], **form.settings(),
                )  # fmt: skip
                services.plan_set_signoff_roles(
                    plan=version.plan, acting_user=request.user,
                    signoff_roles=form.cleaned_data["signoff_roles"],
                )  # fmt: skip
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Cutover window and settings saved.")
                return redirect(_plan_url(access))
    context = {"project": access.project, "version": version, "form": form, "conflict": conflict}
    return render(request, "cutover/plan_settings.html", context, status=status)


def _step_form(request, access, version, step=None, predecessors=()):
    return StepForm(
        request.POST or None, project=access.project, time_zone=version.time_zone,
        step=step, predecessors=predecessors,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@project_view
def step_add_view(request, access):
    _require_editor(access)
    version = selectors.version_get(access)
    form = _step_form(request, access, version)
    if request.method == "POST" and form.is_valid():
        try:
            step = services.step_add(
                plan_version=version, acting_user=request.user,
                number=form.cleaned_data.pop("number"), **form.service_fields(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Step {step.number} “{step.title}” added.")
            if "add_another" in request.POST:
                return redirect(reverse("cutover:step_add", args=[access.project.pk]))
            return redirect(f"{_plan_url(access)}#step-{step.number}")
    status = 400 if request.method == "POST" else 200
    context = {"project": access.project, "version": version, "form": form, "step": None}
    return render(request, "cutover/step_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def step_edit(request, access, step_pk):
    step = selectors.step_get(access, step_pk)
    version = step.plan_version
    if version.status == PlanStatus.SUPERSEDED:
        raise Http404("That step belongs to an older version of the plan.")
    full = permissions.can_edit_cutover_plan(access)
    if not full and not permissions.can_edit_step_notes(access, step):
        raise PermissionDenied("Only the cutover manager and the step's owners change a step.")
    predecessors = selectors.predecessors_by_step(version).get(step.pk, [])
    if full:
        form = _step_form(request, access, version, step, predecessors)
    else:
        form = StepNotesForm(request.POST or None, step=step)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.step_update(
                    step=step, acting_user=request.user,
                    version=form.cleaned_data["version"], **form.service_fields(),
                )  # fmt: skip
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                note = ""
                if saved.plan_version_id != version.pk:
                    note = (
                        f" The plan had sign-offs, so this is version {saved.plan_version.number};"
                        " it needs signing again."
                    )
                messages.success(request, f"Step {saved.number} saved.{note}")
                return redirect(f"{_plan_url(access)}#step-{saved.number}")
    context = {
        "project": access.project, "version": version, "form": form, "step": step,
        "conflict": conflict, "full": full, "move_form": MoveForm(initial={"number": step.number}),
    }  # fmt: skip
    return render(request, "cutover/step_form.html", context, status=status)


@require_http_methods(["POST"])
@project_view
def step_delete_view(request, access, step_pk):
    step = selectors.step_get(access, step_pk)  # another project's step: 404 before 403
    _require_editor(access)
    try:
        services.step_delete(step=step, acting_user=request.user)
    except ConflictError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Step {step.number} “{step.title}” removed.")
    return redirect(_plan_url(access))


@require_http_methods(["POST"])
@project_view
def step_move_view(request, access, step_pk):
    step = selectors.step_get(access, step_pk)  # another project's step: 404 before 403
    _require_editor(access)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            moved = services.step_move(
                step=step, acting_user=request.user, number=form.cleaned_data["number"]
            )
        except (ValidationError, ConflictError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"“{moved.title}” is now step {moved.number}.")
            return redirect(f"{_plan_url(access)}#step-{moved.number}")
    else:
        messages.error(request, "Give the position to move the step to.")
    return redirect(reverse("cutover:step_edit", args=[access.project.pk, step.pk]))


@require_http_methods(["POST"])
@project_view
def typical_steps_view(request, access):
    _require_editor(access)
    version = selectors.version_get(access)
    try:
        services.steps_from_typical(plan_version=version, acting_user=request.user)
    except (ValidationError, RunSheetError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            "The typical 28 steps are in: review the owners, the durations and the checkpoints.",
        )
    return redirect(_plan_url(access))


@require_http_methods(["GET", "POST"])
@project_view
def runsheet_import_view(request, access):
    _require_editor(access)
    version = selectors.version_get(access)
    form = RunSheetImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            saved = services.runsheet_import(
                plan_version=version, acting_user=request.user, data=upload.read(),
                fmt=form.format, filename=upload.name[:100],
            )  # fmt: skip
        except RunSheetError as error:
            problems = error.errors
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = saved.steps.count()
            messages.success(request, f"Run sheet imported: {count} steps.")
            return redirect(_plan_url(access))
    status = 400 if request.method == "POST" else 200
    context = {
        "project": access.project, "version": version, "form": form, "problems": problems,
        "step_count": version.steps.count(),
    }  # fmt: skip
    return render(request, "cutover/import.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def runsheet_export(request, access, number, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Export as csv or xlsx.")
    version = selectors.version_get(access, number)
    rows = export_rows(
        selectors.steps_of(version),
        predecessors=selectors.predecessors_by_step(version),
        time_zone=version.time_zone,
    )
    name = f"{slugify(access.project.name)}-cutover-v{version.number}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_http_methods(["POST"])
@project_view
def plan_sign_off_view(request, access):
    version = selectors.version_get(access)
    if not permissions.can_sign_off_plan(access, version.plan):
        raise PermissionDenied(
            "Only members holding a stakeholder role the plan names sign it off."
        )
    form = PlanSignOffForm(request.POST)
    if form.is_valid():
        try:
            record = services.plan_sign_off(
                plan_version=version, acting_user=request.user,
                decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
                as_role=form.cleaned_data["as_role"], version=form.cleaned_data["version"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"You {record.get_decision_display().lower()} version {version.number} as "
                f"{record.get_as_role_display()}.",
            )
            return redirect(f"{_plan_url(access)}#signoff")
    return _render_plan(request, access, version, signoff_form=form, status=400)


@require_http_methods(["POST"])
@project_view
def plan_sign_off_revoke_view(request, access):
    version = selectors.version_get(access)
    try:
        services.plan_sign_off_revoke(
            plan_version=version, acting_user=request.user, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your sign-off is withdrawn.")
    return redirect(f"{_plan_url(access)}#signoff")


@require_http_methods(["GET"])
@project_view
def version_history_view(request, access, number):
    version = selectors.version_get(access, number)
    context = {
        "project": access.project, "version": version,
        "history": selectors.version_history(version),
    }  # fmt: skip
    return render(request, "cutover/history.html", context)
