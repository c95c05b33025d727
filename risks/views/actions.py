"""Mitigation actions: status changes, notes and dates, My actions, Actions by owner."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from core.http import safe_next_url
from projects import permissions
from projects.decorators import project_view
from projects.selectors import member_users
from risks import selectors, services
from risks.forms import ActionEditForm, ActionStatusForm, ReassignForm
from risks.row_cache import attach_my_action_rows, attach_owner_action_rows

ACTION_ROW_TEMPLATES = {
    "risk": "risks/risk_detail.html#action_row",
    "my_actions": "risks/my_actions.html#my_action_row",
}


@require_http_methods(["POST"])
@project_view
def action_status(request, access, action_pk):
    project = access.project
    action = selectors.action_get(access, action_pk)
    if not permissions.can_update_action(access, action):
        raise PermissionDenied
    form = ActionStatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            action = services.action_update_status(
                action=action, acting_user=request.user, status=form.cleaned_data["status"]
            )
        except ValidationError as failure:
            error = " ".join(failure.messages)
    else:
        error = "Choose a valid status."
    row_template = ACTION_ROW_TEMPLATES.get(request.POST.get("row"))
    if request.htmx and row_template:
        context = {
            "action": selectors.action_row(project, action.pk),
            "row_error": error,
            "next": safe_next_url(request, ""),
        }
        return render(request, row_template, context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Action marked {action.get_status_display().lower()}.")
    return redirect(safe_next_url(request, action.risk.get_absolute_url()))


@require_http_methods(["GET", "POST"])
@project_view
def action_edit(request, access, action_pk):
    action = selectors.action_get(access, action_pk)
    can_edit = permissions.can_edit_action(access, action)
    if not (can_edit or permissions.can_update_action(access, action)):
        raise PermissionDenied
    form = ActionEditForm(request.POST or None, action=action, can_edit=can_edit)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, acting_user=request.user, **form.cleaned_data)
        except ConflictError as error:
            conflict, status = error, 409
            rebase_on_conflict(form, conflict)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action saved.")
            return redirect(safe_next_url(request, f"{action.risk.get_absolute_url()}#actions"))
    if form.errors and status == 200:
        status = 400
    context = {
        "action": action,
        "form": form,
        "conflict": conflict,
        "next": safe_next_url(request, ""),
    }
    return render(request, "risks/action_form.html", context, status=status)


@require_http_methods(["POST"])
@project_view
def actions_reassign(request, access):
    """Reassign the ticked open actions (of any owner, current or former) to one member."""
    project = access.project
    if not permissions.can_reassign_action(access):
        raise PermissionDenied
    form = ReassignForm(request.POST, project=project)
    if form.is_valid():
        actions = list(form.cleaned_data["actions"])
        try:
            moved = services.actions_reassign(
                actions=actions,
                acting_user=request.user,
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, f"Not reassigned: {' '.join(error.messages)}")
        else:
            owner = form.cleaned_data["owner"]
            messages.success(
                request,
                f"{len(moved)} action{'s' if len(moved) != 1 else ''} now owned by {owner}.",
            )
    else:
        errors = [message for messages_ in form.errors.values() for message in messages_]
        messages.error(request, f"Not reassigned: {' '.join(errors)}")
    return redirect(safe_next_url(request, reverse("risks:actions_by_owner", args=[project.pk])))


@require_http_methods(["GET"])
@project_view
def actions_by_owner(request, access):
    project = access.project
    expanded = request.GET.get("owner")
    members, former = selectors.actions_by_owner(
        project,
        expanded_owner=int(expanded) if expanded and expanded.isdigit() else None,
        page_number=request.GET.get("page"),
    )
    can_reassign = permissions.can_reassign_action(access)
    attach_owner_action_rows([*members, *former], can_reassign=can_reassign)
    context = {
        "owners": members,
        "former_owners": former,
        "can_reassign": can_reassign,
        "members": list(member_users(project)) if can_reassign else [],
    }
    return render(request, "risks/actions_by_owner.html", context)


@require_http_methods(["GET"])
def my_actions(request):
    page = selectors.my_open_actions_page(request.user, request.GET.get("page"))
    attach_my_action_rows(
        page.object_list, next_url=request.get_full_path(), csrf_token=get_token(request)
    )
    context = {"actions": page, "page": page}
    return render(request, "risks/my_actions.html", context)
