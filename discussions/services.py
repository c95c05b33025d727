"""Asking, answering, editing, withdrawing, resolving and reopening questions.

Each write checks the acting user's access itself (a task or a command gets the same answer
as a page), runs in one transaction, and tells the members a comment mentions through
``notifications.notify`` under a key per comment and person: a comment edited to mention
someone again does not tell them twice.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from discussions.mentions import mentions_in
from discussions.models import EDIT_WINDOW, Comment, CommentRevision, Thread, ThreadEvent
from notifications.models import Kind
from notifications.services import notify
from projects import permissions
from projects.selectors import member_users, project_access

BODY_MAX = 5000
WINDOW_MINUTES = int(EDIT_WINDOW.total_seconds() // 60)


def _require_commenter(acting_user, project):
    access = project_access(user=acting_user, project=project)
    if not permissions.can_comment(access):
        raise PermissionDenied("Viewers read the questions; members who contribute ask and answer.")
    return access


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Keep it under {BODY_MAX} characters."})
    return body


def _mention(comment, acting_user, *, asking=False):
    """Tell each member the comment names (not its author), once per comment."""
    ids = {entry["id"] for entry in comment.mentions.values()}
    if not ids:
        return []
    thread = comment.thread
    people = member_users(thread.project).filter(pk__in=ids)
    verb = "asks you" if asking else "mentions you"
    title = f"{acting_user} {verb} on “{thread.subject_label}”"
    return notify(
        recipients=people, kind=Kind.MENTIONED, title=title,
        url=f"{thread.subject_url}#comment-{comment.pk}", project=thread.project,
        actor=acting_user, key=f"mention:comment:{comment.pk}",
    )  # fmt: skip


def _write(thread, acting_user, body):
    mentions = mentions_in(body, member_users(thread.project))
    return Comment.objects.create(
        thread=thread, author=acting_user, body=body, mentions=mentions, created_at=timezone.now()
    )


@transaction.atomic
def thread_ask(*, subject, acting_user, body):
    """Ask a question about ``subject`` (a ``discussions.subjects.Subject``): a new thread."""
    _require_commenter(acting_user, subject.project)
    body = _clean_body(body)
    thread = Thread.objects.create(
        project=subject.project, subject_kind=subject.kind, subject_id=subject.pk,
        subject_label=subject.label[:300], subject_url=subject.url[:500],
        area_key=subject.area_key[:100], area_label=subject.area_label[:200],
        asked_by=acting_user, created_at=timezone.now(),
    )  # fmt: skip
    comment = _write(thread, acting_user, body)
    _mention(comment, acting_user, asking=True)
    return thread


@transaction.atomic
def thread_reply(*, thread, acting_user, body, subject_owner_id=None):
    """Answer (or add to) a question. Someone who may reopen a resolved question reopens it
    by answering it (they have more to say); anyone else's answer leaves it resolved."""
    access = _require_commenter(acting_user, thread.project)
    body = _clean_body(body)
    thread = Thread.objects.select_for_update().select_related("project").get(pk=thread.pk)
    comment = _write(thread, acting_user, body)
    if not thread.is_open and permissions.can_resolve_thread(access, thread, subject_owner_id):
        _set_resolved(thread, acting_user, resolved=False)
    told = _mention(comment, acting_user)
    _tell_asker(thread, comment, acting_user, already={n.recipient_id for n in told})
    return comment


def _tell_asker(thread, comment, acting_user, *, already):
    """The asker hears that someone answered (not their own comments, and not twice when the
    answer also mentions them)."""
    asker = thread.asked_by
    if asker is None or asker.pk == acting_user.pk or asker.pk in already:
        return
    if not member_users(thread.project).filter(pk=asker.pk).exists():
        return  # no longer a member: the thread is not theirs to read
    notify(
        recipients=[asker], kind=Kind.ANSWERED,
        title=f"{acting_user} answers your question on “{thread.subject_label}”",
        url=f"{thread.subject_url}#comment-{comment.pk}", project=thread.project,
        actor=acting_user, key=f"answer:comment:{comment.pk}",
    )  # fmt: skip


def _lock_comment(comment, acting_user):
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("thread__project")
        .get(pk=comment.pk)
    )
    access = project_access(user=acting_user, project=locked.thread.project)
    if locked.author_id != acting_user.pk or not permissions.can_comment(access):
        raise PermissionDenied("Only its author changes a comment.")
    if locked.withdrawn_at is not None:
        raise ValidationError("This comment was withdrawn.")
    if not locked.within_edit_window():
        raise ValidationError(
            f"Comments can be changed for {WINDOW_MINUTES} minutes after they are written; "
            "this one stands as it is. Add a new comment instead."
        )
    return locked


def _keep_revision(locked, now):
    CommentRevision.objects.create(
        comment=locked, body=locked.body, written_at=locked.edited_at or locked.created_at,
        replaced_at=now,
    )  # fmt: skip


@transaction.atomic
def comment_edit(*, comment, acting_user, body):
    """Change a comment within its edit window; the earlier text is kept. A member the new
    text mentions is told (once: not again if the earlier text already told them)."""
    locked = _lock_comment(comment, acting_user)
    body = _clean_body(body)
    if body == locked.body:
        return locked
    now = timezone.now()
    _keep_revision(locked, now)
    locked.body = body
    locked.mentions = mentions_in(body, member_users(locked.thread.project))
    locked.edited_at = now
    locked.save(update_fields=["body", "mentions", "edited_at"])
    _mention(locked, acting_user)
    return locked


@transaction.atomic
def comment_withdraw(*, comment, acting_user):
    """Withdraw a comment within its edit window: it shows as withdrawn, its text is kept."""
    locked = _lock_comment(comment, acting_user)
    now = timezone.now()
    _keep_revision(locked, now)
    locked.withdrawn_at = now
    locked.save(update_fields=["withdrawn_at"])
    return locked


def _set_resolved(thread, acting_user, *, resolved):
    now = timezone.now()
    thread.resolved_at = now if resolved else None
    thread.resolved_by = acting_user if resolved else None
    thread.save(update_fields=["resolved_at", "resolved_by"])
    action = ThreadEvent.Action.RESOLVED if resolved else ThreadEvent.Action.REOPENED
    ThreadEvent.objects.create(thread=thread, action=action, user=acting_user, created_at=now)


def _resolve_or_reopen(thread, acting_user, subject_owner_id, *, resolved):
    locked = Thread.objects.select_for_update().select_related("project").get(pk=thread.pk)
    access = project_access(user=acting_user, project=locked.project)
    if not permissions.can_resolve_thread(access, locked, subject_owner_id):
        raise PermissionDenied(
            "Whoever asked, whoever answers for the subject, the facilitator and the project "
            "manager resolve or reopen a question."
        )
    if locked.is_open == resolved:
        _set_resolved(locked, acting_user, resolved=resolved)
    return locked


@transaction.atomic
def thread_resolve(*, thread, acting_user, subject_owner_id=None):
    """Mark a question answered (a second resolve changes nothing)."""
    return _resolve_or_reopen(thread, acting_user, subject_owner_id, resolved=True)


@transaction.atomic
def thread_reopen(*, thread, acting_user, subject_owner_id=None):
    """Open a resolved question again (reopening an open one changes nothing)."""
    return _resolve_or_reopen(thread, acting_user, subject_owner_id, resolved=False)
