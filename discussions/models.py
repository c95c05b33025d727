"""Question threads on checklist items and findings.

A thread sits below the apps whose objects it talks about (reviews, risks import this app,
never the other way round), so it cannot hold a foreign key to an item or a finding. It
points at its subject generically instead: the project (a real foreign key, so every read is
scoped to a project the viewer belongs to), the subject's kind and id, and what the pages
and the summary PDF need to show it without reaching up: the subject's label and address
and its checklist area, copied when the question is asked. ``discussions.subjects`` is
where the apps above say how to find one of their objects for a viewer.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# Comments can be changed or withdrawn by their author this long after writing them; after
# that the words stand (people answered them).
EDIT_WINDOW = datetime.timedelta(minutes=15)


class SubjectKind(models.TextChoices):
    ITEM = "item", "Checklist item"
    FINDING = "finding", "Finding"


class ThreadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Thread(models.Model):
    """One question about one item or finding, with its answers (the comments)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="question_threads"
    )
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    subject_label = models.CharField(max_length=300)
    subject_url = models.CharField(max_length=500)
    area_key = models.CharField(max_length=100, blank=True)
    area_label = models.CharField(max_length=200, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["subject_kind", "subject_id", "resolved_at"], name="thread_subject_open"
            ),
            models.Index(fields=["project", "resolved_at"], name="thread_project_open"),
        ]

    def __str__(self):
        return f"Question on {self.subject_label}"

    def get_absolute_url(self):
        return f"{self.subject_url}#question-{self.pk}"

    @property
    def is_open(self):
        return self.resolved_at is None


class Comment(models.Model):
    """A question (the thread's first comment) or an answer. ``mentions`` holds the members
    the text names, as resolved when it was written: {handle: {"id": user id, "name": ...}}."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} on {self.thread.subject_label}"

    def within_edit_window(self, now=None):
        return (now or timezone.now()) < self.created_at + EDIT_WINDOW

    @property
    def edit_deadline(self):
        return self.created_at + EDIT_WINDOW


class CommentRevision(models.Model):
    """An earlier text of a comment, kept when it was edited or withdrawn: nothing is lost."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField(help_text="When this text was written.")
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "pk"]

    def __str__(self):
        return f"Earlier text of comment {self.comment_id}"


class ThreadEvent(models.Model):
    """A thread resolved or reopened: who, when."""

    class Action(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        REOPENED = "reopened", "Reopened"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.user}"
