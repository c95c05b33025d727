"""A finding: its page, raising one (also in place from a review item), editing,
accepting, and adding actions to its mitigation plan; the findings panel of an item."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from discussions.selectors import thread_panel
from projects import permissions
from projects.decorators import project_view
from reviews.selectors.items import project_item_get
from risks import selectors, services
from risks.forms import AcceptForm, ActionForm, FirstActionForm, QuickAddForm, RiskForm
from risks.selectors.findings import finding_subject

# The quick-add form's own names for what the service calls the first action's arguments.
QUICK_ADD_FIELDS = {
    "first_action.description": "action_description",
    "first_action.owner": "owner",
    "first_action.due_date": "due_date",
}


def _render_detail(request, access, risk, *, accept_form=None, action_form=None, status=200):
    can_add_action = permissions.can_add_action(access, risk) and risk.is_rated
    context = {
        "risk": risk,
        "actions": selectors.risk_actions(risk),
        "history": selectors.risk_history(risk),
        "can_edit": permissions.can_edit_risk(access, risk),
        "can_accept": permissions.can_accept_risk(access, risk) and risk.is_active,
        "is_own_finding": risk.raised_by_id == access.user.pk,
        "is_acceptor": permissions.is_risk_acceptor(access),
        "can_add_action": can_add_action,
        "accept_form": accept_form or AcceptForm(initial={"version": risk.version}),
        "action_form": (
            (action_form or ActionForm(project=access.project)) if can_add_action else None
        ),
        "questions": thread_panel(access, finding_subject(access, risk.pk, risk=risk)),
    }
    return render(request, "risks/risk_detail.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def risk_detail(request, access, risk_pk):
    return _render_detail(request, access, selectors.risk_get(access, risk_pk))


@require_http_methods(["GET", "POST"])
@project_view
def risk_create(request, access):
    if not permissions.can_raise_risk(access):
        raise PermissionDenied
    form = RiskForm(request.POST or None)
    action_form = FirstActionForm(request.POST or None, project=access.project, prefix="action")
    if request.method == "POST" and form.is_valid() and action_form.is_valid():
        try:
            risk = services.risk_create(
                project=access.project,
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
    context = {"form": form, "action_form": action_form}
    return render(request, "risks/risk_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def risk_edit(request, access, risk_pk):
    risk = selectors.risk_get(access, risk_pk)
    if not permissions.can_edit_risk(access, risk):
        raise PermissionDenied
    form = RiskForm(request.POST or None, instance=risk)
    status, conflict = 200, None
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
            except ConflictError as error:
                conflict, status = error, 409
                rebase_on_conflict(form, conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{saved.reference} saved.")
                return redirect(saved)
    context = {"risk": risk, "form": form, "conflict": conflict}
    return render(request, "risks/risk_form.html", context, status=status)


@require_http_methods(["POST"])
@project_view
def risk_accept(request, access, risk_pk):
    risk = selectors.risk_get(access, risk_pk)
    if not permissions.is_risk_acceptor(access):
        raise PermissionDenied
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_accept(
                risk=risk,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect(risk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{risk.reference} accepted.")
            return redirect(risk)
    return _render_detail(request, access, risk, accept_form=form, status=400)


# --- Actions --------------------------------------------------------------------------------


@require_http_methods(["POST"])
@project_view
def action_create(request, access, risk_pk):
    risk = selectors.risk_get(access, risk_pk)
    if not permissions.can_add_action(access, risk):
        raise PermissionDenied
    form = ActionForm(request.POST, project=access.project)
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
    return _render_detail(request, access, risk, action_form=form, status=400)


# --- A review item's findings ------------------------------------------------------------------


@require_http_methods(["GET"])
@project_view
def item_findings(request, access, item_pk):
    """The findings raised from a review item: a list the item page and workshop mode load
    (htmx) into their findings section; without JavaScript, a page of its own."""
    item = project_item_get(access, item_pk)
    context = {
        "item": item,
        "item_risks": selectors.item_risks(item),
        "may_raise": permissions.can_raise_risk(access),
    }
    if request.htmx:
        return render(request, "risks/item_findings.html#findings", context)
    return render(request, "risks/item_findings.html", context)


@require_http_methods(["GET", "POST"])
@project_view
def quick_add(request, access, item_pk):
    """A finding and its first action, captured in place on the review page (htmx)."""
    item = project_item_get(access, item_pk)
    if not permissions.can_raise_risk(access):
        raise PermissionDenied
    form = QuickAddForm(request.POST or None, project=access.project, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                project=access.project, acting_user=request.user, review_item=item,
                **form.service_kwargs(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error, fields=QUICK_ADD_FIELDS)
        else:
            if not request.htmx:
                messages.success(request, f"{risk.reference} “{risk.title}” raised.")
                return redirect(risk)
            context = {
                "item": item,
                "created": risk,
                "with_action": bool(form.cleaned_data["action_description"]),
                "item_risks": selectors.item_risks(item),
            }
            return render(request, "risks/includes/_quick_add.html#quick_add_done", context)
    context = {"item": item, "form": form}
    if request.htmx:
        # htmx swaps 200 responses only; the form comes back with its errors in place.
        return render(request, "risks/includes/_quick_add.html#quick_add_form", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "risks/quick_add.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def blocker_findings(request, access):
    """ "N blocker findings": the risk register's part of the go-live blockers, for the review
    page's readiness panel (htmx)."""
    count = selectors.open_blocker_count(access.project)
    return render(request, "risks/includes/_blocker_findings.html", {"count": count})
