"""The reviews of a project: list, create, edit, and the review page with its checklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.lists import page_of
from projects import permissions
from projects.decorators import project_view
from projects.selectors import member_users
from reviews.forms import ReviewEditForm, ReviewForm
from reviews.models import ItemStatus
from reviews.row_cache import attach_checklist_html, attach_panel_html
from reviews.selectors.reviews import (
    ITEM_FILTERS,
    review_get,
    review_page,
    reviews_of_project,
    reviews_of_project_query,
    with_item_counts,
)
from reviews.services.reviews import review_create, review_update

REVIEWS_PER_PAGE = 25


@require_http_methods(["GET"])
@project_view
def review_list(request, access):
    page = page_of(reviews_of_project_query(access.project), request, REVIEWS_PER_PAGE)
    page.object_list = with_item_counts(list(page.object_list))
    return render(request, "reviews/review_list.html", {"reviews": page, "page": page})


@require_http_methods(["GET", "POST"])
@project_view
def review_create_view(request, access):
    if not permissions.can_create_review(access):
        raise PermissionDenied
    project = access.project
    previous = reviews_of_project(project)
    latest = max(previous, key=lambda review: (review.created_at, review.pk), default=None)
    form = ReviewForm(
        request.POST or None,
        members=member_users(project),
        previous_reviews=reviews_of_project_query(project) if previous else None,
        initial={
            "title": f"Go-live readiness review {len(previous) + 1}",
            "facilitator": request.user.pk,
            "carry_from": latest.pk if latest else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = review_create(project=project, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = review.items.count()
            if review.carried_from_id:
                messages.success(
                    request,
                    f"Review created with {count} checklist items, carried forward from "
                    f"“{review.carried_from.title}”: confirm or update each item marked "
                    "“to re-confirm”.",
                )
            else:
                messages.success(request, f"Review created with {count} checklist items.")
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@project_view
def review_edit(request, access, review_pk):
    review = review_get(access, review_pk)
    if not permissions.can_edit_review(access):
        raise PermissionDenied
    form = ReviewEditForm(
        request.POST or None, instance=review, members=member_users(access.project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            review_update(review=review, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review saved.")
            return redirect(review)
    return render(request, "reviews/review_form.html", {"review": review, "form": form})


@require_http_methods(["GET"])
@project_view
def review_detail(request, access, review_pk):
    review = review_get(access, review_pk)
    params = {name: request.GET.get(name, "") for name in ITEM_FILTERS}
    context = {
        "review": review,
        "filters": params,
        "filtered": any(params.values()),
        "statuses": ItemStatus.choices,
        "here": request.get_full_path(),
        **review_page(access, review, params),
    }
    attach_checklist_html(context, access=access)
    attach_panel_html(context["score"], project=access.project)
    if request.htmx and request.htmx.target == "checklist":
        return render(request, "reviews/review_detail.html#checklist", context)
    return render(request, "reviews/review_detail.html", context)
