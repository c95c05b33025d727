"""Creating and editing a project; its members and their roles."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.sso import sso_button
from core.forms import add_service_errors
from projects import permissions
from projects.decorators import project_view
from projects.forms import (
    InvitationForm,
    InvitationRegisterForm,
    MembershipRoleForm,
    ProjectForm,
    StakeholderRolesForm,
)
from projects.models import Invitation, Membership, SignoffRole
from projects.selectors import memberships_of_project, pending_invitations
from projects.services import (
    InvitationLinkError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_register,
    invitation_resend,
    invitation_revoke,
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


def _render_members(request, access, invite_form=None, status=200):
    can_manage = permissions.can_manage_members(access)
    memberships = list(memberships_of_project(access.project))
    for membership in memberships:
        membership.form = MembershipRoleForm(instance=membership, prefix=f"m{membership.pk}")
    held = {role for m in memberships for role in m.signoff_roles}
    context = {
        "memberships": memberships,
        "invite_form": invite_form or InvitationForm(),
        "invitations": pending_invitations(access.project) if can_manage else [],
        "can_manage": can_manage,
        "unheld_roles": [label for value, label in SignoffRole.choices if value not in held],
    }
    return render(request, "projects/members.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def members(request, access):
    return _render_members(request, access)


@require_POST
@project_view
def member_invite(request, access):
    """Invite someone by e-mail; the answer is the same whether or not they have an account."""
    if not permissions.can_manage_members(access):
        raise PermissionDenied
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                project=access.project, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. They join as "
                f"{invitation.get_role_display().lower()} once they accept.",
            )
            return redirect("projects:members", project_pk=access.project.pk)
    return _render_members(request, access, invite_form=form, status=400)


def _invitation(access, invitation_pk):
    """An invitation of the project (404 otherwise), for its project manager (403 otherwise)."""
    invitation = get_object_or_404(Invitation, project=access.project, pk=invitation_pk)
    if not permissions.can_manage_members(access):
        raise PermissionDenied
    return invitation


@require_POST
@project_view
def invitation_resend_view(request, access, invitation_pk):
    invitation = _invitation(access, invitation_pk)
    try:
        invitation_resend(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}, with a new link.")
    return redirect("projects:members", project_pk=access.project.pk)


@require_POST
@project_view
def invitation_revoke_view(request, access, invitation_pk):
    invitation = _invitation(access, invitation_pk)
    try:
        invitation_revoke(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Invitation to {invitation.email} revoked: its link no longer works."
        )
    return redirect("projects:members", project_pk=access.project.pk)


# --- Accepting an invitation ---------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_view(request, token):
    """The invited person's page: accept (signed in with the invited address), or set a name
    and a password when the address has no account yet."""
    try:
        invitation = invitation_from_token(token)
    except InvitationLinkError as error:
        context = {"reason": error.reason, "invitation": error.invitation}
        return render(request, "projects/invitation_unusable.html", context, status=410)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    context = {
        "invitation": invitation,
        "has_account": has_account,
        "token": token,
        # A first single sign-on accepts the invitation on the way (accounts/sso.py); then
        # home, which lists the project (a welcome message names it).
        "sso": sso_button(request, "" if not has_account else request.path),
    }
    if settings.SSO_ONLY and not has_account:
        status = 403 if request.method == "POST" else 200  # no password to set on this site
        return render(request, "projects/invitation.html", context, status=status)
    if has_account:
        if request.method == "POST" and request.user.is_authenticated:
            try:
                invitation_accept(invitation=invitation, acting_user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Welcome to {invitation.project}.")
                return redirect(invitation.project)
        return render(request, "projects/invitation.html", context)
    form = InvitationRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_register(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.project}, {user.get_short_name()}.")
            return redirect(invitation.project)
    context["form"] = form
    return render(request, "projects/invitation.html", context, status=400 if form.errors else 200)


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
