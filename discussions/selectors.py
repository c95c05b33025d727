"""Reads of question threads, scoped to the viewer's project and shaped for the pages."""

from django.db.models import Count, IntegerField, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from discussions.mentions import preferred_handles
from discussions.models import Comment, CommentRevision, SubjectKind, Thread, ThreadEvent
from projects import permissions
from projects.selectors import member_users


def thread_get(access, thread_pk):
    """A thread of the viewer's project, else 404."""
    return get_object_or_404(
        Thread.objects.select_related("project"), project=access.project, pk=thread_pk
    )


def comment_get(access, comment_pk):
    """A comment of a thread of the viewer's project, else 404."""
    return get_object_or_404(
        Comment.objects.select_related("thread__project", "author"),
        thread__project=access.project,
        pk=comment_pk,
    )


def threads_of_subject(subject):
    """The subject's threads, oldest first, each with its comments (authors and earlier
    texts loaded) and resolve / reopen events: four queries whatever their number."""
    return list(
        Thread.objects.filter(
            project=subject.project, subject_kind=subject.kind, subject_id=subject.pk
        )
        .select_related("asked_by", "resolved_by")
        .prefetch_related(
            Prefetch(
                "comments",
                Comment.objects.select_related("author").prefetch_related(
                    Prefetch("revisions", CommentRevision.objects.order_by("replaced_at", "pk"))
                ),
            ),
            Prefetch("events", ThreadEvent.objects.select_related("user")),
        )
    )


def thread_panel(access, subject, *, workshop=False, members=None):
    """What the questions panel of ``subject`` shows the viewer (open questions first);
    ``members``: the project's active members where the page has them already."""
    threads = threads_of_subject(subject)
    may_comment = permissions.can_comment(access)
    for thread in threads:
        thread.may_resolve = permissions.can_resolve_thread(access, thread, subject.owner_id)
        for comment in thread.comments.all():
            comment.may_edit = may_comment and permissions.can_edit_comment(access, comment)
    threads.sort(key=lambda thread: (not thread.is_open, thread.created_at, thread.pk))
    return {
        "subject": subject,
        "threads": threads,
        "open_count": sum(1 for thread in threads if thread.is_open),
        "may_comment": may_comment,
        "handles": (
            preferred_handles(members if members is not None else member_users(subject.project))
            if may_comment
            else []
        ),
        "workshop": workshop,
    }


def open_question_count(kind, subject_ref):
    """An expression: the open questions on the subject ``subject_ref`` (an OuterRef to an
    id) of ``kind``, for a list to annotate its rows in the same query."""
    counts = (
        Thread.objects.open()
        .filter(subject_kind=kind, subject_id=subject_ref)
        .order_by()
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts[:1], output_field=IntegerField()), 0)


def open_question_counts(kind, ids):
    """{subject id: open questions} for the subjects ``ids`` of ``kind`` (one query)."""
    rows = (
        Thread.objects.open()
        .filter(subject_kind=kind, subject_id__in=list(ids))
        .order_by()
        .values_list("subject_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def open_questions_by_area(project, *, item_ids, areas):
    """The project's open questions on the items ``item_ids`` (a review's) and on its
    findings, grouped by area in the order of ``areas`` ([(key, title)]); those of no area
    last. Each: the question's first comment, who asked, when, the subject. Two queries."""
    threads = list(
        Thread.objects.open()
        .filter(project=project)
        .filter(
            Q(subject_kind=SubjectKind.ITEM, subject_id__in=list(item_ids))
            | Q(subject_kind=SubjectKind.FINDING)
        )
        .select_related("asked_by")
        .prefetch_related(Prefetch("comments", Comment.objects.order_by("created_at", "pk")))
        .order_by("created_at", "pk")
    )
    for thread in threads:
        comments = list(thread.comments.all())
        thread.question = comments[0] if comments else None
        thread.answer_count = max(len(comments) - 1, 0)
    order = {key: position for position, (key, _) in enumerate(areas)}
    titles = dict(areas)
    groups = {}
    for thread in threads:
        key = thread.area_key if thread.area_key in order else ""
        groups.setdefault(key, []).append(thread)
    return [
        (titles.get(key) or "Other", groups[key])
        for key in sorted(groups, key=lambda key: order.get(key, len(order)))
    ]
