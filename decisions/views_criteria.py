"""The project's go / no-go criteria: the settings page (the project manager sets them;
every member reads them), switching built-ins, the team's own criteria, attestations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from decisions.criteria import criteria_settings, criterion_get
from decisions.forms_criteria import AttestationForm, AttestedCriterionForm, ThresholdCriterionForm
from decisions.models import CriterionKind
from decisions.services_criteria import (
    gate_criterion_attest,
    gate_criterion_builtin_switch,
    gate_criterion_create,
    gate_criterion_move,
    gate_criterion_remove,
    gate_criterion_update,
)
from projects import permissions
from projects.decorators import project_view

FORMS = {
    CriterionKind.THRESHOLD: ThresholdCriterionForm,
    CriterionKind.ATTESTED: AttestedCriterionForm,
}


def _back(access):
    return redirect("decisions:criteria", project_pk=access.project.pk)


def _settings_page(request, access, *, forms=None, attest_forms=None, status=200):
    settings = criteria_settings(access)
    forms = forms or {}
    attest_forms = attest_forms or {}
    for row in settings.own:
        if row.kind == CriterionKind.ATTESTED:
            row.attest_form = attest_forms.get(row.pk) or AttestationForm(prefix=f"attest-{row.pk}")
    context = {
        "settings": settings,
        "threshold_form": forms.get(CriterionKind.THRESHOLD)
        or ThresholdCriterionForm(prefix="threshold"),
        "attested_form": forms.get(CriterionKind.ATTESTED)
        or AttestedCriterionForm(prefix="attested"),
    }
    return render(request, "decisions/criteria.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def criteria_page(request, access):
    return _settings_page(request, access)


@require_POST
@project_view
def criterion_builtin_switch(request, access):
    if not permissions.can_manage_gate_criteria(access):
        raise PermissionDenied
    key = request.POST.get("key", "")
    enabled = request.POST.get("enabled") == "on"
    try:
        gate_criterion_builtin_switch(
            project=access.project, acting_user=request.user, key=key, enabled=enabled
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        switched = "Criterion switched on." if enabled else "Criterion switched off."
        if request.htmx:  # the built-ins' card alone, with the news in it
            context = {"settings": criteria_settings(access), "switched": switched}
            return render(request, "decisions/criteria.html#builtins", context)
        messages.success(request, switched)
    return _back(access)


@require_POST
@project_view
def criterion_add(request, access):
    if not permissions.can_manage_gate_criteria(access):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    if kind not in FORMS:
        return _back(access)
    form = FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            gate_criterion_create(
                project=access.project, acting_user=request.user, kind=kind, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Criterion added. The gate checks it from now on.")
            return _back(access)
    return _settings_page(request, access, forms={kind: form}, status=422)


@require_http_methods(["GET", "POST"])
@project_view
def criterion_edit(request, access, criterion_pk):
    criterion = criterion_get(access, criterion_pk)
    if not permissions.can_manage_gate_criteria(access):
        raise PermissionDenied
    form_class = FORMS[criterion.kind]
    if request.method == "GET":
        initial = {name: getattr(criterion, name) for name in form_class.base_fields}
        form = form_class(initial=initial)
        return render(
            request, "decisions/criterion_edit.html", {"criterion": criterion, "form": form}
        )
    form = form_class(request.POST)
    if form.is_valid():
        try:
            gate_criterion_update(
                criterion=criterion, acting_user=request.user, **form.cleaned_data
            )
        except ConflictError as conflict:
            rebase_on_conflict(form, conflict)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Criterion saved.")
            return _back(access)
    return render(
        request, "decisions/criterion_edit.html", {"criterion": criterion, "form": form}, status=422
    )


@require_POST
@project_view
def criterion_remove(request, access, criterion_pk):
    criterion = criterion_get(access, criterion_pk)
    if not permissions.can_manage_gate_criteria(access):
        raise PermissionDenied
    gate_criterion_remove(criterion=criterion, acting_user=request.user)
    messages.success(request, "Criterion removed. Its history stays below.")
    return _back(access)


@require_POST
@project_view
def criterion_attest(request, access, criterion_pk):
    criterion = criterion_get(access, criterion_pk)
    if not permissions.can_attest_gate_criterion(access):
        raise PermissionDenied
    form = AttestationForm(request.POST, prefix=f"attest-{criterion.pk}")
    if form.is_valid():
        try:
            gate_criterion_attest(
                criterion=criterion, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Value attested.")
            return _back(access)
    return _settings_page(request, access, attest_forms={criterion.pk: form}, status=422)


@require_POST
@project_view
def criterion_move(request, access, criterion_pk):
    criterion = criterion_get(access, criterion_pk)
    if not permissions.can_manage_gate_criteria(access):
        raise PermissionDenied
    gate_criterion_move(
        criterion=criterion, acting_user=request.user, up=request.POST.get("direction") == "up"
    )
    return _back(access)
