"""Workshops: schedule, attendance, minutes, .ics; and workshop mode for the projector."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.forms import add_service_errors
from accounts.selectors import member_users
from reviews.forms import ItemForm, MinutesForm, WorkshopForm
from reviews.models import ItemStatus, Workshop
from reviews.selectors.reviews import item_get_for_user, review_get_for_user
from reviews.selectors.workshops import workshop_item_view, workshops_of_review
from reviews.services.items import StaleItemError, review_item_update
from reviews.services.workshops import (
    StaleMinutesError,
    workshop_create,
    workshop_ics,
    workshop_save_minutes,
    workshop_take_attendance,
)


def _workshop(request, project_pk, review_pk, workshop_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    workshop = get_object_or_404(
        Workshop.objects.select_related("facilitator", "minutes_updated_by"),
        review=review,
        pk=workshop_pk,
    )
    workshop.review = review
    return workshop


@require_http_methods(["GET"])
def workshop_list(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    context = {
        "project": review.project,
        "review": review,
        "workshops": workshops_of_review(review),
    }
    return render(request, "reviews/workshop_list.html", context)


@require_http_methods(["GET", "POST"])
def workshop_create_view(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    if not permissions.can_manage_workshop(request.user, review):
        raise PermissionDenied
    members = member_users(review.project)
    form = WorkshopForm(
        request.POST or None,
        review=review,
        members=members,
        initial={
            "title": f"Readiness workshop: {review.title}",
            "facilitator": review.facilitator_id,
            "agenda": list(review.sections.values_list("key", flat=True)),
            "invitees": list(members.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshop = workshop_create(review=review, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Workshop scheduled. Download the invitation to send it.")
            return redirect(workshop)
    return render(
        request,
        "reviews/workshop_form.html",
        {"project": review.project, "review": review, "form": form},
    )


@require_http_methods(["GET"])
def workshop_detail(request, project_pk, review_pk, workshop_pk):
    workshop = _workshop(request, project_pk, review_pk, workshop_pk)
    review = workshop.review
    sections = {s.key: s.title for s in review.sections.all()}
    context = {
        "project": review.project,
        "review": review,
        "workshop": workshop,
        "attendees": list(workshop.attendees.select_related("user")),
        "agenda": [(key, sections.get(key, key)) for key in workshop.agenda],
        "minutes_form": MinutesForm(
            initial={"minutes": workshop.minutes, "minutes_version": workshop.minutes_version}
        ),
        "may_manage": permissions.can_manage_workshop(request.user, review),
    }
    return render(request, "reviews/workshop_detail.html", context)


@require_POST
def workshop_attendance(request, project_pk, review_pk, workshop_pk):
    workshop = _workshop(request, project_pk, review_pk, workshop_pk)
    if not permissions.can_manage_workshop(request.user, workshop.review):
        raise PermissionDenied
    workshop_take_attendance(
        workshop=workshop, acting_user=request.user, attended_ids=request.POST.getlist("attended")
    )
    messages.success(request, "Attendance saved.")
    return redirect(workshop)


@require_POST
def workshop_minutes(request, project_pk, review_pk, workshop_pk):
    """Save minutes (from the workshop page or from workshop mode, in place with htmx)."""
    workshop = _workshop(request, project_pk, review_pk, workshop_pk)
    if not permissions.can_manage_workshop(request.user, workshop.review):
        raise PermissionDenied
    form = MinutesForm(request.POST)
    status, notice = 200, "Minutes saved."
    if form.is_valid():
        try:
            workshop = workshop_save_minutes(
                workshop=workshop,
                acting_user=request.user,
                minutes=form.cleaned_data["minutes"],
                version=form.cleaned_data["minutes_version"],
            )
        except StaleMinutesError as stale:
            status, notice = 409, str(stale)
    else:
        status, notice = 422, "The minutes could not be saved; reload the page."
    if request.htmx:
        context = {
            "workshop": workshop,
            "notice": notice,
            "status": status,
            "minutes_text": form.data.get("minutes", ""),
        }
        return render(request, "reviews/workshop_mode.html#minutes", context, status=status)
    (messages.success if status == 200 else messages.error)(request, notice)
    return redirect(workshop)


@require_http_methods(["GET"])
def workshop_ics_view(request, project_pk, review_pk, workshop_pk):
    workshop = _workshop(request, project_pk, review_pk, workshop_pk)
    response = HttpResponse(workshop_ics(workshop), content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(workshop.title) or 'workshop'}-{workshop.starts_at:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Workshop mode -----------------------------------------------------------------


def _mode_context(request, review, item_pk=None, **extra):
    context = workshop_item_view(request.user, review, item_pk, workshop_pk=request.GET.get("w"))
    context.update({"project": review.project, "review": review, "statuses": ItemStatus.choices})
    item = context["item"]
    if item is not None and "form" not in extra and item.may_edit:
        context["form"] = ItemForm(item=item, members=context["members_qs"])
    context.update(extra)
    return context


@require_http_methods(["GET"])
def workshop_mode(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    context = _mode_context(request, review, request.GET.get("item"))
    if request.htmx and request.htmx.target == "workshop-item":
        return render(request, "reviews/workshop_mode.html#item-panel", context)
    return render(request, "reviews/workshop_mode.html", context)


@require_POST
def workshop_mode_save(request, project_pk, review_pk, item_pk):
    """Save the item on screen; a stale version is refused with what the other person changed."""
    item = item_get_for_user(request.user, project_pk, review_pk, item_pk)
    review = item.review
    if not permissions.can_edit_item(request.user, item):
        raise PermissionDenied
    form = ItemForm(request.POST, item=item, members=member_users(review.project))
    conflict, status = None, 200
    if form.is_valid():
        try:
            review_item_update(
                item=item,
                acting_user=request.user,
                version=form.cleaned_data["version"],
                **form.changes(),
            )
        except StaleItemError as stale:
            conflict, status = stale, 409
            data = form.data.copy()
            data["version"] = stale.item.version
            form.data = data
            form.add_error(None, str(stale))
        except ValidationError as error:
            add_service_errors(form, error)
            status = 422
    else:
        status = 422
    if status == 200:
        context = _mode_context(request, review, item.pk, saved=True)
    else:
        context = _mode_context(request, review, item.pk, form=form, conflict=conflict)
    if not request.htmx:
        if status == 200:
            messages.success(request, "Saved.")
            return redirect(f"{review.get_absolute_url()}workshop/?item={item.pk}")
        return render(request, "reviews/workshop_mode.html", context, status=status)
    return render(request, "reviews/workshop_mode.html#item-panel", context, status=status)


@require_http_methods(["GET"])
def workshop_mode_check(request, project_pk, review_pk, item_pk):
    """Polled by workshop mode: empty while the item is unchanged, a notice when someone saved."""
    item = item_get_for_user(request.user, project_pk, review_pk, item_pk)
    try:
        seen = int(request.GET.get("version", ""))
    except ValueError:
        seen = item.version
    if item.version == seen:
        return HttpResponse(status=204)
    changes = list(item.changes.filter(version__gt=seen).select_related("user").order_by("version"))
    return render(
        request,
        "reviews/workshop_mode.html#changed-notice",
        {"item": item, "changes": changes, "review": item.review},
    )
