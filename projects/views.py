"""Creating and editing a project; its members and their roles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from projects import permissions
from projects.decorators import project_view
from projects.forms import MembershipAddForm, MembershipRoleForm, ProjectForm, StakeholderRolesForm
from projects.models import Membership
from projects.selectors import memberships_of_project
from projects.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_signoff_roles,
    project_create,
    project_update,
)


@require_http_methods(["GET", "POST"])
def project_create_view(request):
    form = ProjectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        project = project_create(acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project}” created. You are its project manager.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@project_view
def project_edit(request, access):
    if not permissions.can_edit_project(access):
        raise PermissionDenied
    project = access.project
    form = ProjectForm(request.POST or None, request.FILES or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


# --- Members ---------------------------------------------------------------------------


def _membership(access, membership_pk):
    """A membership of the project (404 otherwise), for its project manager (403 otherwise)."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"), project=access.project, pk=membership_pk
    )
    if not permissions.can_manage_members(access):
        raise PermissionDenied
    return membership


def _render_members(request, access, add_form=None, status=200):
    memberships = list(memberships_of_project(access.project))
    for membership in memberships:
        membership.form = MembershipRoleForm(instance=membership, prefix=f"m{membership.pk}")
    context = {
        "memberships": memberships,
        "add_form": add_form or MembershipAddForm(),
        "can_manage": permissions.can_manage_members(access),
    }
    return render(request, "projects/members.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def members(request, access):
    return _render_members(request, access)


@require_POST
@project_view
def member_add(request, access):
    if not permissions.can_manage_members(access):
        raise PermissionDenied
    form = MembershipAddForm(request.POST)
    if form.is_valid():
        try:
            membership = membership_add(
                project=access.project, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{membership.user} added as {membership.get_role_display().lower()}."
            )
            return redirect("projects:members", project_pk=access.project.pk)
    return _render_members(request, access, add_form=form, status=400)


@require_POST
@project_view
def member_change_role(request, access, membership_pk):
    membership = _membership(access, membership_pk)
    form = MembershipRoleForm(request.POST, instance=membership, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            membership_change_role(
                membership=Membership.objects.get(pk=membership.pk),
                role=form.cleaned_data["role"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{membership.user} is now {membership.get_role_display().lower()}."
            )
    else:
        messages.error(request, "Choose a valid role.")
    return redirect("projects:members", project_pk=access.project.pk)


@require_POST
@project_view
def member_remove(request, access, membership_pk):
    membership = _membership(access, membership_pk)
    try:
        membership_remove(membership=membership, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user} removed from the project.")
    return redirect("projects:members", project_pk=access.project.pk)


@require_http_methods(["GET", "POST"])
@project_view
def member_stakeholder_roles(request, access, membership_pk):
    membership = _membership(access, membership_pk)
    form = StakeholderRolesForm(
        request.POST or None, initial={"signoff_roles": membership.signoff_roles}
    )
    if request.method == "POST" and form.is_valid():
        membership_set_signoff_roles(
            membership=membership,
            signoff_roles=form.cleaned_data["signoff_roles"],
            acting_user=request.user,
        )
        messages.success(request, f"Stakeholder roles of {membership.user} saved.")
        return redirect("projects:members", project_pk=access.project.pk)
    return render(
        request, "projects/stakeholder_roles.html", {"membership": membership, "form": form}
    )
