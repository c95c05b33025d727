"""Workshops: schedule, attendance, minutes, .ics; and workshop mode for the projector."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from projects import permissions
from projects.decorators import project_view
from projects.selectors import member_users
from reviews.forms import ItemForm, MinutesForm, WorkshopForm
from reviews.models import ItemStatus
from reviews.selectors.items import item_get
from reviews.selectors.reviews import review_get
from reviews.selectors.workshops import workshop_get, workshop_item_view, workshops_of_review
from reviews.services.workshop_invitations import workshop_ics
from reviews.services.workshops import (
    workshop_cancel,
    workshop_create,
    workshop_save_minutes,
    workshop_take_attendance,
    workshop_update,
)
from reviews.views.items import confirm_item, save_item_form


@require_http_methods(["GET"])
@project_view
def workshop_list(request, access, review_pk):
    review = review_get(access, review_pk)
    context = {"review": review, "workshops": workshops_of_review(review)}
    return render(request, "reviews/workshop_list.html", context)


@require_http_methods(["GET", "POST"])
@project_view
def workshop_create_view(request, access, review_pk):
    review = review_get(access, review_pk)
    if not permissions.can_manage_workshop(access):
        raise PermissionDenied
    members = member_users(access.project)
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
            messages.success(
                request,
                "Workshop scheduled. The invitations are being e-mailed to everyone invited.",
            )
            return redirect(workshop)
    return render(request, "reviews/workshop_form.html", {"review": review, "form": form})


def _guest_lines(workshop):
    return "\n".join(
        f"{a.guest_name} <{a.guest_email}>" if a.guest_email else a.guest_name
        for a in workshop.attendees.all()
        if not a.user_id
    )


@require_http_methods(["GET", "POST"])
@project_view
def workshop_edit_view(request, access, review_pk, workshop_pk):
    """Change a workshop: a new time, place, title or invitees e-mails everyone an update."""
    workshop = workshop_get(access, review_pk, workshop_pk)
    review = workshop.review
    if not permissions.can_manage_workshop(access):
        raise PermissionDenied("Only the facilitator and the project manager change workshops.")
    if workshop.is_cancelled:
        messages.error(request, "This workshop is cancelled; schedule a new one instead.")
        return redirect(workshop)
    form = WorkshopForm(
        request.POST or None,
        review=review,
        members=member_users(access.project),
        initial={
            "title": workshop.title,
            "starts_at": timezone.localtime(workshop.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": workshop.duration_minutes,
            "location": workshop.location,
            "facilitator": workshop.facilitator_id,
            "agenda": workshop.agenda,
            "invitees": [a.user_id for a in workshop.attendees.all() if a.user_id],
            "guests": _guest_lines(workshop),
        },
    )
    if request.method == "POST" and form.is_valid():
        sequence = workshop.sequence
        try:
            workshop = workshop_update(
                workshop=workshop, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Workshop changed. Everyone invited is being e-mailed the update."
                if workshop.sequence != sequence
                else "Workshop changed. Nothing invitees see changed, so no update is sent.",
            )
            return redirect(workshop)
    context = {"review": review, "form": form, "workshop": workshop}
    return render(request, "reviews/workshop_form.html", context)


@require_POST
@project_view
def workshop_cancel_view(request, access, review_pk, workshop_pk):
    workshop = workshop_get(access, review_pk, workshop_pk)
    if not permissions.can_manage_workshop(access):
        raise PermissionDenied("Only the facilitator and the project manager cancel workshops.")
    try:
        workshop_cancel(workshop=workshop, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Workshop cancelled. Everyone invited is being told.")
    return redirect(workshop)


def _render_workshop(request, access, workshop, *, minutes_form=None, status=200):
    review = workshop.review
    sections = {s.key: s.title for s in review.sections.all()}
    attendees = list(workshop.attendees.select_related("user"))
    deliveries = list(workshop.invitations.filter(sequence=workshop.sequence))
    sent = [d for d in deliveries if d.sent_at]
    invited = {a.email.lower() for a in attendees if a.email}
    context = {
        "review": review,
        "workshop": workshop,
        "attendees": attendees,
        "deliveries": deliveries,
        "invited_count": len(invited),
        "sent_count": len(sent),
        "waiting_count": 0
        if workshop.is_cancelled
        else len(invited - {d.email for d in deliveries}),
        "refused": [d.email for d in deliveries if d.failed_at],
        "agenda": [(key, sections.get(key, key)) for key in workshop.agenda],
        "minutes_form": minutes_form
        or MinutesForm(
            initial={"minutes": workshop.minutes, "minutes_version": workshop.minutes_version}
        ),
        "may_manage": permissions.can_manage_workshop(access),
    }
    return render(request, "reviews/workshop_detail.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def workshop_detail(request, access, review_pk, workshop_pk):
    return _render_workshop(request, access, workshop_get(access, review_pk, workshop_pk))


@require_POST
@project_view
def workshop_attendance(request, access, review_pk, workshop_pk):
    workshop = workshop_get(access, review_pk, workshop_pk)
    if not permissions.can_manage_workshop(access):
        raise PermissionDenied
    workshop_take_attendance(
        workshop=workshop, acting_user=request.user, attended_ids=request.POST.getlist("attended")
    )
    messages.success(request, "Attendance saved.")
    return redirect(workshop)


@require_POST
@project_view
def workshop_minutes(request, access, review_pk, workshop_pk):
    """Save minutes (from the workshop page or from workshop mode, in place with htmx)."""
    workshop = workshop_get(access, review_pk, workshop_pk)
    if not permissions.can_manage_workshop(access):
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
        except ConflictError as conflict:
            status, notice = 409, str(conflict)
            workshop = conflict.current
            rebase_on_conflict(form, conflict, version_field="minutes_version")
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
    if status == 409:  # keep what they typed, beside what the other person saved
        workshop = workshop_get(access, review_pk, workshop_pk)
        return _render_workshop(request, access, workshop, minutes_form=form, status=409)
    (messages.success if status == 200 else messages.error)(request, notice)
    return redirect(workshop)


@require_http_methods(["GET"])
@project_view
def workshop_ics_view(request, access, review_pk, workshop_pk):
    workshop = workshop_get(access, review_pk, workshop_pk)
    response = HttpResponse(workshop_ics(workshop), content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(workshop.title) or 'workshop'}-{workshop.starts_at:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Workshop mode -----------------------------------------------------------------


def _mode_context(request, access, review, item_pk=None, **extra):
    context = workshop_item_view(access, review, item_pk, workshop_pk=request.GET.get("w"))
    context.update({"review": review, "statuses": ItemStatus.choices})
    item = context["item"]
    if item is not None and "form" not in extra and item.may_edit:
        context["form"] = ItemForm(item=item, members=context["members_qs"])
    context.update(extra)
    return context


@require_http_methods(["GET"])
@project_view
def workshop_mode(request, access, review_pk):
    review = review_get(access, review_pk)
    context = _mode_context(request, access, review, request.GET.get("item"))
    if request.htmx and request.htmx.target == "workshop-item":
        return render(request, "reviews/workshop_mode.html#item-panel", context)
    return render(request, "reviews/workshop_mode.html", context)


@require_POST
@project_view
def workshop_mode_save(request, access, review_pk, item_pk):
    """Save the item on screen; a stale version is refused with what the other person changed."""
    item = item_get(access, review_pk, item_pk)
    review = item.review
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    form = ItemForm(request.POST, item=item, members=member_users(access.project))
    item, conflict = save_item_form(request, item, form)
    status = 409 if conflict else 422 if form.errors else 200
    # Moving on with unsaved edits saves them first; the next item shows only if they saved.
    go_to = request.POST.get("go_to", "")
    url = reverse("reviews:workshop_mode", args=[access.project.pk, review.pk])
    if status == 200 and go_to.isdigit():
        context = _mode_context(request, access, review, go_to, saved_previous=item)
        shown = f"{url}?{urlencode({'item': context['item'].pk})}" if context["item"] else url
    elif status == 200:
        context = _mode_context(request, access, review, item.pk, saved=True)
        shown = f"{url}?{urlencode({'item': item.pk})}"
    else:
        context = _mode_context(request, access, review, item.pk, form=form, conflict=conflict)
        shown = None
    if not request.htmx:
        if status == 200:
            messages.success(request, "Saved.")
            return redirect(shown)
        return render(request, "reviews/workshop_mode.html", context, status=status)
    response = render(request, "reviews/workshop_mode.html#item-panel", context, status=status)
    if shown:
        response["HX-Push-Url"] = shown
    return response


@require_POST
@project_view
def workshop_mode_confirm(request, access, review_pk, item_pk):
    """Confirm the carried-forward item on screen (key ``c``); a stale version is refused."""
    item = item_get(access, review_pk, item_pk)
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    item, error = confirm_item(request, item)
    review = item.review
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or "Item confirmed.")
        url = reverse("reviews:workshop_mode", args=[access.project.pk, review.pk])
        return redirect(f"{url}?{urlencode({'item': item.pk})}")
    context = _mode_context(
        request, access, review, item.pk, confirmed=not error, confirm_error=error
    )
    return render(
        request, "reviews/workshop_mode.html#item-panel", context, status=409 if error else 200
    )


@require_http_methods(["GET"])
@project_view
def workshop_mode_check(request, access, review_pk, item_pk):
    """Polled by workshop mode: empty while the item is unchanged, a notice when someone saved."""
    item = item_get(access, review_pk, item_pk)
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
