from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.forms import add_service_errors
from reviews.forms import ProjectForm
from reviews.selectors.projects import project_get_for_user, project_list_for_user
from reviews.services.projects import project_create, project_update


@require_http_methods(["GET"])
def project_list(request):
    return render(
        request, "reviews/project_list.html", {"projects": project_list_for_user(request.user)}
    )


@require_http_methods(["GET", "POST"])
def project_create_view(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = project_create(acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project}” created. You are its project manager.")
        return redirect(project)
    return render(request, "reviews/project_form.html", {"form": form})


@require_http_methods(["GET"])
def project_detail(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    context = {"project": project}
    context.update(_project_page_extras(request, project))
    return render(request, "reviews/project_detail.html", context)


def _project_page_extras(request, project):
    """Hook for the sections later features add to the project page."""
    from reviews.selectors.project_page import project_page_context

    return project_page_context(user=request.user, project=project)


@require_http_methods(["GET", "POST"])
def project_edit(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(request, "reviews/project_form.html", {"form": form, "project": project})
