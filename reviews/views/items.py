"""A checklist item: its page, in-place editing on the review page, sign-offs, evidence."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from core.http import safe_next_url
from core.lists import page_of
from core.storage import stored_file_response
from discussions.selectors import thread_panel
from projects import permissions
from projects.decorators import project_view
from projects.selectors import member_users
from reviews.forms import EvidenceForm, ItemForm, SignOffForm
from reviews.selectors.items import (
    evidence_get,
    item_detail,
    item_get,
    item_subject,
    items_awaiting_signoff,
)
from reviews.selectors.scores import scores_for_reviews
from reviews.services.items import (
    item_evidence_add,
    item_evidence_remove,
    review_item_confirm,
    review_item_update,
)
from reviews.services.signoffs import item_sign_off, item_sign_off_revoke
from reviews.uploads import upload_refusal

ROW = "reviews/review_detail.html#item-row"


def _row_context(request, access, item, **extra):
    """What the item row partial needs: the item with its sign-off state and awaited people."""
    return {
        "item": item,
        "review": item.review,
        "here": request.headers.get("HX-Current-URL") or item.review.get_absolute_url(),
        "may_assign_roles": permissions.can_manage_members(access),
        **item_detail(access, item),
        **extra,
    }


def _changed_row(request, access, item, **extra):
    """The opened row after a change, with the readiness panel and the item's area bar
    swapped out of band: the score moved with the item."""
    item.refresh_from_db()
    score = scores_for_reviews([item.review])[item.review_id]
    item.section_score = next(s for s in score.sections if s.section.pk == item.section_id)
    context = _row_context(request, access, item, opened=True, oob=True, score=score, **extra)
    return render(request, ROW, context, status=422 if extra.get("signoff_error") else 200)


def save_item_form(request, item, form):
    """Validate and save an item form; returns (item, conflict), the form carrying any errors.

    On a conflict the form keeps what the person typed, based on the current version.
    """
    if not form.is_valid():
        return item, None
    try:
        item = review_item_update(
            item=item,
            acting_user=request.user,
            version=form.cleaned_data["version"],
            **form.changes(),
        )
    except ConflictError as conflict:
        rebase_on_conflict(form, conflict)
        return item, conflict
    except ValidationError as error:
        add_service_errors(form, error)
    return item, None


@require_http_methods(["GET", "POST"])
@project_view
def item_detail_view(request, access, review_pk, item_pk):
    item = item_get(access, review_pk, item_pk)
    may_edit = permissions.can_edit_item(access, item)
    members = member_users(access.project)
    form = ItemForm(request.POST or None, item=item, members=members) if may_edit else None
    conflict = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        item, conflict = save_item_form(request, item, form)
        if not form.errors:
            messages.success(request, "Item saved.")
            return redirect(item)
    context = _row_context(request, access, item, form=form, conflict=conflict, may_edit=may_edit)
    context["evidence_form"] = EvidenceForm()
    context["signoff_form"] = SignOffForm()
    context["questions"] = thread_panel(
        access, item_subject(access, item.pk, item=item), members=list(members)
    )
    return render(request, "reviews/item_detail.html", context, status=409 if conflict else 200)


@require_http_methods(["GET"])
@project_view
def item_row(request, access, review_pk, item_pk):
    """An item's row of the review page (htmx), opened with its details with ``?open=1``."""
    item = item_get(access, review_pk, item_pk)
    if not request.htmx:
        return redirect(item)
    context = _row_context(request, access, item, opened=request.GET.get("open") == "1")
    return render(request, ROW, context)


@require_http_methods(["GET", "POST"])
@project_view
def item_edit(request, access, review_pk, item_pk):
    """The in-place editor of the review page (htmx); without htmx, the item page does this."""
    item = item_get(access, review_pk, item_pk)
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    if not request.htmx:
        return redirect(item)
    members = member_users(access.project)
    if request.method == "GET":
        form = ItemForm(item=item, members=members)
        return render(request, ROW, _row_context(request, access, item, opened=True, form=form))
    form = ItemForm(request.POST, item=item, members=members)
    item, conflict = save_item_form(request, item, form)
    if form.errors:
        context = _row_context(request, access, item, opened=True, form=form, conflict=conflict)
        return render(request, ROW, context, status=409 if conflict else 422)
    return _changed_row(request, access, item, saved=True)


def confirm_item(request, item):
    """Confirm a carried-forward item from a posted ``version``: (item, error message)."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return item, "The page was out of date; reload it and confirm again."
    try:
        return review_item_confirm(item=item, acting_user=request.user, version=version), None
    except ConflictError as conflict:
        return conflict.current, str(conflict)


@require_POST
@project_view
def item_confirm(request, access, review_pk, item_pk):
    """Confirm that a carried-forward answer still holds (the item leaves "to re-confirm")."""
    item = item_get(access, review_pk, item_pk)
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    item, error = confirm_item(request, item)
    if request.htmx:
        response = _changed_row(request, access, item, confirm_error=error)
        if error:
            response.status_code = 409
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Item confirmed.")
    return redirect(safe_next_url(request, item.get_absolute_url()))


@require_POST
@project_view
def item_sign_off_view(request, access, review_pk, item_pk):
    item = item_get(access, review_pk, item_pk)
    form = SignOffForm(request.POST)
    error = None
    if form.is_valid():
        try:
            if request.POST.get("revoke"):
                item_sign_off_revoke(
                    item=item, acting_user=request.user, comment=form.cleaned_data["comment"]
                )
            else:
                item_sign_off(item=item, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Choose approve or reject."
    if request.htmx:
        return _changed_row(request, access, item, signoff_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Sign-off recorded.")
    return redirect(safe_next_url(request, item.get_absolute_url()))


@require_POST
@project_view
def evidence_add(request, access, review_pk, item_pk):
    item = item_get(access, review_pk, item_pk)
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    refusal = upload_refusal(request)
    if refusal:  # the upload was stopped as it arrived (reviews.uploads)
        messages.error(request, refusal)
        return redirect(item)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            item_evidence_add(item=item, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, "Evidence added.")
    return redirect(item)


@require_POST
@project_view
def evidence_remove(request, access, evidence_pk):
    evidence = evidence_get(access, evidence_pk)
    item = evidence.item
    if not permissions.can_edit_item(access, item):
        raise PermissionDenied
    item_evidence_remove(evidence=evidence, acting_user=request.user)
    messages.success(request, f"“{evidence.title}” removed. It stays in the item's history.")
    return redirect(item)


@require_http_methods(["GET"])
@project_view
def evidence_download(request, access, evidence_pk):
    """Serve an uploaded file to project members only (never from a public media URL); for
    a link, a page saying where it leads (never a bare redirect to what someone typed)."""
    evidence = evidence_get(access, evidence_pk)
    if not evidence.file:
        context = {"evidence": evidence, "item": evidence.item, "review": evidence.item.review}
        return render(request, "reviews/evidence_leaving.html", context)
    try:
        return stored_file_response(evidence.file, filename=evidence.file.name.rsplit("/", 1)[-1])
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error


AWAITING_PER_PAGE = 50


@require_http_methods(["GET"])
def awaiting_my_signoff(request):
    page = page_of(items_awaiting_signoff(request.user), request, AWAITING_PER_PAGE)
    return render(request, "reviews/awaiting_signoff.html", {"items": page, "page": page})
