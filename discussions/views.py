"""The questions panel of an item or a finding and its actions (htmx fragments, or a
redirect back to the subject's page without JavaScript)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from discussions import selectors, services
from discussions.forms import CommentForm
from discussions.subjects import subject_for, subject_of_thread
from projects.decorators import project_view

PANEL = "discussions/includes/_panel.html#panel"


def _errors(error):
    return " ".join(getattr(error, "messages", [str(error)]))


def _workshop(request):
    return (request.GET.get("workshop") or request.POST.get("workshop")) == "1"


def _panel(request, access, subject, *, status=200, **extra):
    """The panel after an action: the fragment for htmx, else back to the subject's page."""
    if not request.htmx:
        if extra.get("error"):
            messages.error(request, extra["error"])
        elif extra.get("notice"):
            messages.success(request, extra["notice"])
        return redirect(f"{subject.url}#{subject.dom_id}")
    context = {
        **selectors.thread_panel(access, subject, workshop=_workshop(request)),
        **extra,
    }
    return render(request, PANEL, context, status=status)


@require_http_methods(["GET"])
@project_view
def panel(request, access, kind, subject_pk):
    subject = subject_for(access, kind, subject_pk)
    return _panel(request, access, subject)


@require_POST
@project_view
def thread_ask_view(request, access, kind, subject_pk):
    subject = subject_for(access, kind, subject_pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _panel(
            request, access, subject, status=422, ask_form=form, error="Write something first."
        )
    try:
        services.thread_ask(
            subject=subject, acting_user=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        return _panel(request, access, subject, status=422, ask_form=form, error=_errors(error))
    return _panel(request, access, subject, notice="Question asked.")


@require_POST
@project_view
def thread_reply_view(request, access, thread_pk):
    thread = selectors.thread_get(access, thread_pk)
    subject = subject_of_thread(access, thread)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _panel(request, access, subject, status=422, error="Write an answer first.",
                      error_thread=thread.pk)  # fmt: skip
    try:
        services.thread_reply(
            thread=thread, acting_user=request.user, body=form.cleaned_data["body"],
            subject_owner_id=subject.owner_id,
        )  # fmt: skip
    except ValidationError as error:
        return _panel(request, access, subject, status=422, error=_errors(error),
                      error_thread=thread.pk)  # fmt: skip
    return _panel(request, access, subject, notice="Answer added.")


@require_http_methods(["GET", "POST"])
@project_view
def comment_edit_view(request, access, comment_pk):
    comment = selectors.comment_get(access, comment_pk)
    subject = subject_of_thread(access, comment.thread)
    if request.method == "GET":
        if not request.htmx:
            return redirect(f"{subject.url}#comment-{comment.pk}")
        return _panel(request, access, subject, editing=comment.pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _panel(request, access, subject, status=422, editing=comment.pk,
                      error="Write something, or withdraw the comment.")  # fmt: skip
    try:
        services.comment_edit(
            comment=comment, acting_user=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        return _panel(request, access, subject, status=422, error=_errors(error))
    return _panel(request, access, subject, notice="Comment changed.")


@require_POST
@project_view
def comment_withdraw_view(request, access, comment_pk):
    comment = selectors.comment_get(access, comment_pk)
    subject = subject_of_thread(access, comment.thread)
    try:
        services.comment_withdraw(comment=comment, acting_user=request.user)
    except ValidationError as error:
        return _panel(request, access, subject, status=422, error=_errors(error))
    return _panel(request, access, subject, notice="Comment withdrawn.")


def _resolve_or_reopen(request, access, thread_pk, service, notice):
    thread = selectors.thread_get(access, thread_pk)
    subject = subject_of_thread(access, thread)
    service(thread=thread, acting_user=request.user, subject_owner_id=subject.owner_id)
    return _panel(request, access, subject, notice=notice)


@require_POST
@project_view
def thread_resolve_view(request, access, thread_pk):
    return _resolve_or_reopen(request, access, thread_pk, services.thread_resolve, "Resolved.")


@require_POST
@project_view
def thread_reopen_view(request, access, thread_pk):
    return _resolve_or_reopen(request, access, thread_pk, services.thread_reopen, "Reopened.")
