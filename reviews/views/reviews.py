from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.forms import add_service_errors
from accounts.selectors import member_users
from reviews.forms import ReviewEditForm, ReviewForm
from reviews.models import ItemStatus
from reviews.selectors.projects import project_get_for_user
from reviews.selectors.reviews import (
    ITEM_FILTERS,
    review_get_for_user,
    review_page,
    reviews_of_project,
)
from reviews.services.reviews import review_create, review_update


@require_http_methods(["GET"])
def review_list(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    return render(
        request,
        "reviews/review_list.html",
        {"project": project, "reviews": reviews_of_project(project)},
    )


@require_http_methods(["GET", "POST"])
def review_create_view(request, project_pk):
    project = project_get_for_user(request.user, project_pk)
    if not permissions.can_create_review(request.user, project):
        raise PermissionDenied
    count = len(reviews_of_project(project))
    form = ReviewForm(
        request.POST or None,
        members=member_users(project),
        initial={"title": f"Go-live readiness review {count + 1}", "facilitator": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = review_create(project=project, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Review created with {review.items.count()} checklist items."
            )
            return redirect(review)
    return render(request, "reviews/review_form.html", {"project": project, "form": form})


@require_http_methods(["GET", "POST"])
def review_edit(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    if not permissions.can_edit_review(request.user, review):
        raise PermissionDenied
    form = ReviewEditForm(
        request.POST or None, instance=review, members=member_users(review.project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            review_update(review=review, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review saved.")
            return redirect(review)
    return render(
        request,
        "reviews/review_form.html",
        {"project": review.project, "review": review, "form": form},
    )


@require_http_methods(["GET"])
def review_detail(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    params = {name: request.GET.get(name, "") for name in ITEM_FILTERS}
    page = review_page(request.user, review, params)
    context = {
        "project": review.project,
        "review": review,
        "filters": params,
        "filtered": any(params.values()),
        "statuses": ItemStatus.choices,
        "here": request.get_full_path(),
        **page,
    }
    if request.htmx and request.htmx.target == "checklist":
        return render(request, "reviews/review_detail.html#checklist", context)
    return render(request, "reviews/review_detail.html", context)
