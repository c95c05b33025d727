"""The support plan pages: the plan (lines, escalation, knowledge transfer, sign-off, gaps),
its settings, the lines and sessions, the coverage calendar, and hypercare."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from projects import permissions
from projects.decorators import project_view
from support import selectors, services
from support.forms import (
    CheckInForm,
    ConfirmForm,
    ContactForm,
    CriterionStatusForm,
    EscalationForm,
    ExitCriterionForm,
    KnowledgeTransferForm,
    LineForm,
    SignOffForm,
    SupportPlanForm,
)
from support.hours_text import format_exceptions, format_weekly


def _plan_url(access, anchor=""):
    return reverse("support:plan", args=[access.project.pk]) + anchor


def _hypercare_url(access):
    return reverse("support:hypercare", args=[access.project.pk])


def _require_editor(access):
    if not permissions.can_edit_support_plan(access):
        raise PermissionDenied(
            "Only the project manager, the facilitator and the support or cutover lead change "
            "the support plan."
        )


def _errors(error):
    return " ".join(getattr(error, "messages", [str(error)]))


def _render_plan(request, access, plan, *, signoff_form=None, escalation_form=None, status=200):
    view = selectors.plan_view(access, plan)
    my_roles = selectors.my_signoff_roles(access, plan)
    mine = next((r for r in view.signoff_state.current if r.signer_id == access.user.pk), None)
    context = {
        "project": access.project, "plan": plan, "view": view, "my_roles": my_roles,
        "my_signoff": mine,
        "signoff_form": signoff_form or SignOffForm(
            initial={"version": plan.version, "as_role": my_roles[0][0] if my_roles else ""}
        ),
        "escalation_form": escalation_form or EscalationForm(lines=view.lines),
    }  # fmt: skip
    return render(request, "support/plan.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def plan_detail(request, access):
    plan = selectors.plan_get(access, missing=None)
    if plan is None:
        form = SupportPlanForm() if permissions.can_edit_support_plan(access) else None
        return render(request, "support/plan_empty.html", {"project": access.project, "form": form})
    return _render_plan(request, access, plan)


@require_http_methods(["POST"])
@project_view
def plan_create_view(request, access):
    _require_editor(access)
    form = SupportPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.support_plan_create(
                project=access.project, acting_user=request.user,
                signoff_roles=data["signoff_roles"], time_zone=data["time_zone"],
                hypercare_weeks=data["hypercare_weeks"], hypercare_hours=data["hypercare_hours"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Support plan created. Now add its support lines.")
            return redirect(_plan_url(access))
    context = {"project": access.project, "form": form}
    return render(request, "support/plan_empty.html", context, status=400)


@require_http_methods(["GET", "POST"])
@project_view
def plan_settings(request, access):
    _require_editor(access)
    plan = selectors.plan_get(access)
    initial = {
        "version": plan.version, "time_zone": plan.time_zone,
        "hypercare_weeks": plan.hypercare_weeks,
        "hypercare_hours": format_weekly(plan.hypercare_rows),
        "signoff_roles": plan.signoff_roles,
    }  # fmt: skip
    form = SupportPlanForm(request.POST or None, initial=initial)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.support_plan_update(
                    plan=plan, acting_user=request.user, version=data["version"],
                    signoff_roles=data["signoff_roles"], time_zone=data["time_zone"],
                    hypercare_weeks=data["hypercare_weeks"],
                    hypercare_hours=data["hypercare_hours"],
                )  # fmt: skip
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Support plan settings saved.")
                return redirect(_plan_url(access))
    context = {"project": access.project, "plan": plan, "form": form, "conflict": conflict}
    return render(request, "support/plan_settings.html", context, status=status)


def _line_initial(plan, line):
    if line is None:
        return {"version": plan.version}
    return {
        "version": plan.version, "level": line.level, "team": line.team,
        "handles": line.handles, "order": line.order,
        "weekly": format_weekly([(h.weekday, h.start, h.end) for h in line.weekly_hours.all()]),
        "exceptions": format_exceptions(
            [(e.date, e.closed, e.start, e.end) for e in line.exceptions.all()]
        ),
    }  # fmt: skip


def _line_form_page(request, access, plan, line):
    form = LineForm(request.POST or None, initial=_line_initial(plan, line))
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.line_save(
                    plan=plan, acting_user=request.user, line=line,
                    version=form.cleaned_data["version"], **form.service_fields(),
                )  # fmt: skip
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Line {saved.name} saved.")
                return redirect(_plan_url(access, f"#line-{saved.pk}"))
    context = {
        "project": access.project, "plan": plan, "line": line, "form": form,
        "conflict": conflict,
        "contact_form": ContactForm(project=access.project) if line else None,
    }  # fmt: skip
    return render(request, "support/line_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def line_add(request, access):
    _require_editor(access)
    return _line_form_page(request, access, selectors.plan_get(access), None)


@require_http_methods(["GET", "POST"])
@project_view
def line_edit(request, access, line_pk):
    line = selectors.line_get(access, line_pk)  # another project's line: 404 before 403
    _require_editor(access)
    line.plan.project = access.project
    return _line_form_page(request, access, line.plan, line)


@require_http_methods(["POST"])
@project_view
def line_delete_view(request, access, line_pk):
    line = selectors.line_get(access, line_pk)
    _require_editor(access)
    services.line_delete(line=line, acting_user=request.user)
    messages.success(request, f"Line {line.name} removed.")
    return redirect(_plan_url(access))


@require_http_methods(["POST"])
@project_view
def contact_add_view(request, access, line_pk):
    line = selectors.line_get(access, line_pk)
    _require_editor(access)
    form = ContactForm(request.POST, project=access.project)
    if form.is_valid():
        try:
            contact = services.contact_add(line=line, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{contact} added to {line.name}.")
            return redirect(reverse("support:line_edit", args=[access.project.pk, line.pk]))
    line.plan.project = access.project
    context = {
        "project": access.project, "plan": line.plan, "line": line, "contact_form": form,
        "form": LineForm(initial=_line_initial(line.plan, line)), "conflict": None,
    }  # fmt: skip
    return render(request, "support/line_form.html", context, status=400)


@require_http_methods(["POST"])
@project_view
def contact_delete_view(request, access, contact_pk):
    contact = selectors.contact_get(access, contact_pk)
    _require_editor(access)
    services.contact_delete(contact=contact, acting_user=request.user)
    messages.success(request, f"{contact} removed from {contact.line.name}.")
    return redirect(reverse("support:line_edit", args=[access.project.pk, contact.line_id]))


@require_http_methods(["POST"])
@project_view
def escalation_add_view(request, access):
    _require_editor(access)
    plan = selectors.plan_get(access)
    form = EscalationForm(request.POST, lines=selectors.lines_of(plan))
    if form.is_valid():
        try:
            level = services.escalation_add(
                plan=plan, acting_user=request.user,
                response_minutes=form.cleaned_data["response_minutes"], **form.chosen(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Escalation level {level.order} added.")
            return redirect(_plan_url(access, "#escalation"))
    return _render_plan(request, access, plan, escalation_form=form, status=400)


@require_http_methods(["POST"])
@project_view
def escalation_delete_view(request, access, level_pk):
    level = selectors.escalation_get(access, level_pk)
    _require_editor(access)
    services.escalation_delete(level=level, acting_user=request.user)
    messages.success(request, f"Escalation level {level.order} removed.")
    return redirect(_plan_url(access, "#escalation"))


def _kt_page(request, access, plan, session):
    initial = {}
    if session is not None:
        initial = {
            "topic": session.topic, "date": session.date, "from_text": session.from_text,
            "to_text": session.to_text, "attended": session.attended, "done": session.done,
            "from_members": list(session.from_members.all()),
            "to_members": list(session.to_members.all()), "version": session.version,
        }  # fmt: skip
    form = KnowledgeTransferForm(request.POST or None, initial=initial, project=access.project)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.kt_session_save(
                    plan=plan, acting_user=request.user, session=session, **form.cleaned_data
                )
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Knowledge-transfer session “{saved.topic}” saved.")
                return redirect(_plan_url(access, "#knowledge-transfer"))
    context = {
        "project": access.project, "plan": plan, "session": session, "form": form,
        "conflict": conflict,
    }  # fmt: skip
    return render(request, "support/kt_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def kt_add(request, access):
    _require_editor(access)
    return _kt_page(request, access, selectors.plan_get(access), None)


@require_http_methods(["GET", "POST"])
@project_view
def kt_edit(request, access, session_pk):
    session = selectors.kt_session_get(access, session_pk)
    _require_editor(access)
    return _kt_page(request, access, session.plan, session)


@require_http_methods(["POST"])
@project_view
def sign_off_view(request, access):
    plan = selectors.plan_get(access)
    if not permissions.can_sign_off_support_plan(access, plan):
        raise PermissionDenied("Only members holding a stakeholder role the plan names sign it.")
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            record = services.support_plan_sign_off(
                plan=plan, acting_user=request.user, decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"], as_role=form.cleaned_data["as_role"],
                version=form.cleaned_data["version"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"You {record.get_decision_display().lower()} the support plan as "
                f"{record.get_as_role_display()}.",
            )
            return redirect(_plan_url(access, "#signoff"))
    return _render_plan(request, access, plan, signoff_form=form, status=400)


@require_http_methods(["POST"])
@project_view
def sign_off_revoke_view(request, access):
    plan = selectors.plan_get(access)
    try:
        services.support_plan_sign_off_revoke(
            plan=plan, acting_user=request.user, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Your sign-off is withdrawn.")
    return redirect(_plan_url(access, "#signoff"))


@require_http_methods(["GET"])
@project_view
def coverage_view(request, access):
    plan = selectors.plan_get(access, missing=None)
    if plan is None:
        return render(request, "support/plan_empty.html", {"project": access.project, "form": None})
    lines, result, periods = selectors.calendar(access, plan)
    context = {
        "project": access.project, "plan": plan, "lines": lines, "coverage": result,
        "periods": periods,
    }  # fmt: skip
    return render(request, "support/coverage.html", context)


# --- Hypercare ------------------------------------------------------------------------------


def _render_hypercare(request, access, plan, *, criterion_form=None, check_in_form=None,
                      confirm_form=None, status=200):  # fmt: skip
    context = {
        "project": access.project, "plan": plan,
        "view": selectors.hypercare_view(access, plan),
        "criterion_form": criterion_form or ExitCriterionForm(project=access.project),
        "check_in_form": check_in_form or CheckInForm(initial={"date": timezone.localdate()}),
        "confirm_form": confirm_form or ConfirmForm(),
    }  # fmt: skip
    return render(request, "support/hypercare.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def hypercare(request, access):
    plan = selectors.plan_get(access, missing=None)
    if plan is None:
        return render(request, "support/plan_empty.html", {"project": access.project, "form": None})
    return _render_hypercare(request, access, plan)


@require_http_methods(["POST"])
@project_view
def hypercare_start_view(request, access):
    plan = selectors.plan_get(access)
    if not permissions.can_run_hypercare(access):
        raise PermissionDenied("Only the project manager starts hypercare.")
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.hypercare_start(plan=plan, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Hypercare started: the project is in its hypercare phase.")
            return redirect(_hypercare_url(access))
    return _render_hypercare(request, access, plan, confirm_form=form, status=400)


@require_http_methods(["POST"])
@project_view
def hypercare_close_view(request, access):
    plan = selectors.plan_get(access)
    if not permissions.can_run_hypercare(access):
        raise PermissionDenied("Only the project manager closes hypercare.")
    try:
        services.hypercare_close(plan=plan, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Hypercare closed: the project is in its operate phase.")
    return redirect(_hypercare_url(access))


@require_http_methods(["POST"])
@project_view
def criterion_add_view(request, access):
    _require_editor(access)
    plan = selectors.plan_get(access)
    form = ExitCriterionForm(request.POST, project=access.project)
    if form.is_valid():
        try:
            services.exit_criterion_add(plan=plan, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Exit criterion added.")
            return redirect(_hypercare_url(access))
    return _render_hypercare(request, access, plan, criterion_form=form, status=400)


@require_http_methods(["POST"])
@project_view
def criterion_status_view(request, access, exit_criterion_pk):
    criterion = selectors.criterion_get(access, exit_criterion_pk)
    if not permissions.can_update_exit_criterion(access, criterion):
        raise PermissionDenied("Only the criterion's owner and the plan's editors change it.")
    form = CriterionStatusForm(request.POST)
    if form.is_valid():
        services.exit_criterion_set_status(
            criterion=criterion, acting_user=request.user, status=form.cleaned_data["status"]
        )
        messages.success(request, f"“{criterion.text}” is {form.cleaned_data['status']}.")
    else:
        messages.error(request, "Choose open or met.")
    return redirect(_hypercare_url(access))


@require_http_methods(["POST"])
@project_view
def check_in_view(request, access):
    plan = selectors.plan_get(access)
    if not permissions.can_log_check_in(access):
        raise PermissionDenied("Only the support plan's editors log the daily check-in.")
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.check_in_log(plan=plan, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Check-in of {form.cleaned_data['date']:%d %b} logged.")
            return redirect(_hypercare_url(access))
    return _render_hypercare(request, access, plan, check_in_form=form, status=400)
