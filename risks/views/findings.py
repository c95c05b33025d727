"""A finding: its page, raising one (also in place from a review item), editing,
accepting, and adding actions to its mitigation plan."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.forms import add_service_errors
from reviews.models import ReviewItem
from reviews.selectors.projects import project_get_for_user
from risks import selectors, services
from risks.forms import AcceptForm, ActionForm, FirstActionForm, QuickAddForm, RiskForm


def _render_detail(request, project, risk, *, accept_form=None, action_form=None, status=200):
    user = request.user
    can_accept = permissions.can_accept_risk(user, risk)
    can_add_action = permissions.can_add_action(user, risk) and risk.is_rated
    context = {
        "project": project,
        "risk": risk,
        "actions": selectors.risk_actions(risk),
        "history": selectors.risk_history(risk),
        "can_edit": permissions.can_edit_risk(user, risk),
        "can_accept": can_accept and risk.is_active,
        "is_own_finding": risk.raised_by_id == user.pk,
        "is_acceptor": permissions.project_role(user, project) in permissions.RISK_ACCEPTORS,
        "can_add_action": can_add_action,
        "accept_form": accept_form or AcceptForm(initial={"version": risk.version}),
        "action_form": (action_form or ActionForm(project=project)) if can_add_action else None,
    }
    return render(request, "risks/risk_detail.html", context, status=status)


@require_http_methods(["GET"])
def risk_detail(request, project_pk, risk_pk):
    project = project_get_for_user(request.user, project_pk)
    return _render_detail(request, project, selectors.risk_get_for_project(project, risk_pk))


@require_http_methods(["GET", "POST"])
def risk_create(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    if not permissions.can_raise_risk(request.user, project):
        raise PermissionDenied
    form = RiskForm(request.POST or None)
    action_form = FirstActionForm(request.POST or None, project=project, prefix="action")
    if request.method == "POST" and form.is_valid() and action_form.is_valid():
        try:
            risk = services.risk_create(
                project=project,
                acting_user=request.user,
                first_action=action_form.cleaned_data,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{risk.reference} “{risk.title}” raised.")
            return redirect(risk)
    status = 400 if request.method == "POST" else 200
    context = {"project": project, "form": form, "action_form": action_form}
    return render(request, "risks/risk_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def risk_edit(request, project_pk, risk_pk):
    project = project_get_for_user(request.user, project_pk)
    risk = selectors.risk_get_for_project(project, risk_pk)
    if not permissions.can_edit_risk(request.user, risk):
        raise PermissionDenied
    form = RiskForm(request.POST or None, instance=risk)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.risk_update(
                    risk=risk,
                    acting_user=request.user,
                    version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except services.RiskConflictError as conflict:
                # Keep what this person typed; the form now carries the current version,
                # so saving again after reading the message is a knowing overwrite.
                data = request.POST.copy()
                data["version"] = conflict.current_version
                form = RiskForm(data, instance=selectors.risk_get_for_project(project, risk_pk))
                form.is_valid()
                form.add_error(None, conflict.messages)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{saved.reference} saved.")
                return redirect(saved)
    context = {"project": project, "risk": risk, "form": form}
    return render(request, "risks/risk_form.html", context, status=status)


@require_http_methods(["POST"])
def risk_accept(request, project_pk, risk_pk):
    project = project_get_for_user(request.user, project_pk)
    risk = selectors.risk_get_for_project(project, risk_pk)
    if permissions.project_role(request.user, project) not in permissions.RISK_ACCEPTORS:
        raise PermissionDenied
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_accept(
                risk=risk,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except services.RiskConflictError as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(risk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{risk.reference} accepted.")
            return redirect(risk)
    return _render_detail(request, project, risk, accept_form=form, status=400)


# --- Actions --------------------------------------------------------------------------------


@require_http_methods(["POST"])
def action_create(request, project_pk, risk_pk):
    project = project_get_for_user(request.user, project_pk)
    risk = selectors.risk_get_for_project(project, risk_pk)
    if not permissions.can_add_action(request.user, risk):
        raise PermissionDenied
    form = ActionForm(request.POST, project=project)
    if form.is_valid():
        try:
            action = services.action_create(
                risk=risk, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action added for {action.owner}.")
            return redirect(f"{risk.get_absolute_url()}#actions")
    return _render_detail(request, project, risk, action_form=form, status=400)


@require_http_methods(["GET", "POST"])
def quick_add(request, project_pk, item_pk):
    """A finding and its first action, captured in place on the review page (htmx)."""
    project = project_get_for_user(request.user, project_pk)
    item = get_object_or_404(
        ReviewItem.objects.select_related("review", "section"), review__project=project, pk=item_pk
    )
    if not permissions.can_raise_risk(request.user, project):
        raise PermissionDenied
    form = QuickAddForm(request.POST or None, project=project, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                project=project, acting_user=request.user, review_item=item,
                **form.service_kwargs(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"{risk.reference} “{risk.title}” raised.")
                return redirect(risk)
            context = {
                "project": project,
                "item": item,
                "created": risk,
                "with_action": bool(form.cleaned_data["action_description"]),
                "item_risks": selectors.item_risks(item),
            }
            return render(request, "risks/includes/_quick_add.html#quick_add_done", context)
    context = {"project": project, "item": item, "form": form}
    if request.htmx:
        # htmx swaps 200 responses only; the form comes back with its errors in place.
        return render(request, "risks/includes/_quick_add.html#quick_add_form", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "risks/quick_add.html", context, status=status)
