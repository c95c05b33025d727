from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.forms import (
    MembershipAddForm,
    MembershipRoleForm,
    ProfileForm,
    StakeholderRolesForm,
    add_service_errors,
)
from accounts.models import Membership
from accounts.selectors import memberships_of_project
from accounts.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_signoff_roles,
)
from reviews.selectors.projects import project_get_for_user


def _project_for_manager(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    if not permissions.can_manage_members(request.user, project):
        raise PermissionDenied
    return project


def _membership_for_manager(request, project_pk, membership_pk):
    """The membership (404 unless it is in a project of mine), then the manager check (403)."""
    project = project_get_for_user(request.user, project_pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), project=project, pk=membership_pk
    )
    if not permissions.can_manage_members(request.user, project):
        raise PermissionDenied
    return project, membership


def _render_members(request, project, add_form=None, status=200):
    memberships = list(memberships_of_project(project))
    for membership in memberships:
        membership.form = MembershipRoleForm(instance=membership, prefix=f"m{membership.pk}")
    context = {
        "project": project,
        "memberships": memberships,
        "add_form": add_form or MembershipAddForm(),
        "can_manage": permissions.can_manage_members(request.user, project),
    }
    return render(request, "accounts/members.html", context, status=status)


@require_http_methods(["GET"])
def members(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    return _render_members(request, project)


@require_POST
def member_add(request, project_pk):
    project = _project_for_manager(request, project_pk)
    form = MembershipAddForm(request.POST)
    if form.is_valid():
        try:
            membership = membership_add(
                project=project, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{membership.user} added as {membership.get_role_display().lower()}."
            )
            return redirect("accounts:members", project_pk=project.pk)
    return _render_members(request, project, add_form=form, status=400)


@require_POST
def member_change_role(request, project_pk, membership_pk):
    project, membership = _membership_for_manager(request, project_pk, membership_pk)
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
    return redirect("accounts:members", project_pk=project.pk)


@require_POST
def member_remove(request, project_pk, membership_pk):
    project, membership = _membership_for_manager(request, project_pk, membership_pk)
    try:
        membership_remove(membership=membership, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user} removed from the project.")
    return redirect("accounts:members", project_pk=project.pk)


@require_http_methods(["GET", "POST"])
def member_stakeholder_roles(request, project_pk, membership_pk):
    project, membership = _membership_for_manager(request, project_pk, membership_pk)
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
        return redirect("accounts:members", project_pk=project.pk)
    return render(
        request,
        "accounts/stakeholder_roles.html",
        {"project": project, "membership": membership, "form": form},
    )


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
