"""Asking, answering, the 15-minute edit rule (on a fixed clock), resolving and reopening."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from discussions.models import EDIT_WINDOW, CommentRevision, ThreadEvent
from discussions.services import (
    comment_edit,
    comment_withdraw,
    thread_ask,
    thread_reopen,
    thread_reply,
    thread_resolve,
)
from projects.models import Role

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip
WRITTEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    """A fixed clock the test moves by hand: no sleeping."""

    class Clock:
        now = WRITTEN

        def at(self, **delta):
            self.now = WRITTEN + datetime.timedelta(**delta)

    fixed = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


def test_thread_ask_copies_what_the_pages_show_of_the_subject(subject, members, review_item):
    thread = thread_ask(subject=subject, acting_user=members[C], body="  Which test set?  ")
    assert (thread.subject_kind, thread.subject_id) == ("item", review_item.pk)
    assert thread.subject_label == review_item.title
    assert thread.subject_url == review_item.get_absolute_url()
    assert (thread.area_key, thread.area_label) == (
        review_item.section.key, review_item.section.title,
    )  # fmt: skip
    assert thread.is_open
    assert [c.body for c in thread.comments.all()] == ["Which test set?"]


def test_a_finding_has_questions_too(finding, members, risk):
    thread = thread_ask(subject=finding, acting_user=members[C], body="Who mitigates?")
    assert (thread.subject_kind, thread.subject_id) == ("finding", risk.pk)
    assert thread.subject_label == f"{risk.reference} {risk.title}"


def test_an_empty_question_is_refused(subject, members):
    with pytest.raises(ValidationError, match="Write something"):
        thread_ask(subject=subject, acting_user=members[C], body="   ")


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_may_not_ask_or_answer(subject, members, outsider, who):
    user = outsider if who == "outsider" else members[V]
    with pytest.raises(PermissionDenied):
        thread_ask(subject=subject, acting_user=user, body="?")
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    with pytest.raises(PermissionDenied):
        thread_reply(thread=thread, acting_user=user, body="!")


def test_the_author_edits_within_fifteen_minutes_and_the_earlier_text_is_kept(
    subject, members, clock
):
    thread = thread_ask(subject=subject, acting_user=members[C], body="First words")
    comment = thread.comments.get()
    clock.at(minutes=14, seconds=59)
    edited = comment_edit(comment=comment, acting_user=members[C], body="Better words")
    assert edited.body == "Better words"
    assert edited.edited_at == clock.now
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.body, revision.written_at, revision.replaced_at) == (
        "First words", WRITTEN, clock.now,
    )  # fmt: skip


def test_editing_after_fifteen_minutes_is_refused_with_a_message(subject, members, clock):
    thread = thread_ask(subject=subject, acting_user=members[C], body="First words")
    comment = thread.comments.get()
    clock.at(seconds=EDIT_WINDOW.total_seconds())
    with pytest.raises(ValidationError, match="15 minutes"):
        comment_edit(comment=comment, acting_user=members[C], body="Too late")
    with pytest.raises(ValidationError, match="15 minutes"):
        comment_withdraw(comment=comment, acting_user=members[C])
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at, comment.withdrawn_at) == ("First words", None, None)
    assert not CommentRevision.objects.exists()


def test_the_window_runs_from_writing_not_from_the_last_edit(subject, members, clock):
    thread = thread_ask(subject=subject, acting_user=members[C], body="one")
    comment = thread.comments.get()
    clock.at(minutes=10)
    comment = comment_edit(comment=comment, acting_user=members[C], body="two")
    clock.at(minutes=16)
    with pytest.raises(ValidationError):
        comment_edit(comment=comment, acting_user=members[C], body="three")


def test_only_the_author_edits_a_comment(subject, members, clock):
    thread = thread_ask(subject=subject, acting_user=members[C], body="mine")
    for role in (F, PM, A):
        with pytest.raises(PermissionDenied):
            comment_edit(comment=thread.comments.get(), acting_user=members[role], body="theirs")


def test_withdrawing_keeps_the_text(subject, members, clock):
    thread = thread_ask(subject=subject, acting_user=members[C], body="oops")
    comment = thread.comments.get()
    clock.at(minutes=5)
    withdrawn = comment_withdraw(comment=comment, acting_user=members[C])
    assert withdrawn.withdrawn_at == clock.now
    assert withdrawn.body == "oops"
    assert list(comment.revisions.values_list("body", flat=True)) == ["oops"]
    with pytest.raises(ValidationError, match="withdrawn"):
        comment_edit(comment=comment, acting_user=members[C], body="again")


def test_resolve_and_reopen_record_who_and_when(subject, members, clock):
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    clock.at(minutes=30)
    thread = thread_resolve(thread=thread, acting_user=members[F])
    assert (thread.resolved_at, thread.resolved_by) == (clock.now, members[F])
    thread_resolve(thread=thread, acting_user=members[F])  # twice: nothing more
    clock.at(hours=2)
    thread = thread_reopen(thread=thread, acting_user=members[C])
    assert thread.is_open
    assert thread.resolved_by is None
    events = list(
        ThreadEvent.objects.filter(thread=thread).values_list("action", "user", "created_at")
    )
    assert events == [
        ("resolved", members[F].pk, WRITTEN + datetime.timedelta(minutes=30)),
        ("reopened", members[C].pk, WRITTEN + datetime.timedelta(hours=2)),
    ]


def test_answering_a_resolved_question_reopens_it_for_whoever_may_reopen(subject, members):
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    thread_resolve(thread=thread, acting_user=members[C])
    thread_reply(thread=thread, acting_user=members[A], body="Noted")  # may not reopen
    thread.refresh_from_db()
    assert not thread.is_open
    thread_reply(thread=thread, acting_user=members[C], body="One more thing")  # the asker
    thread.refresh_from_db()
    assert thread.is_open
    assert list(thread.events.values_list("action", "user")) == [
        ("resolved", members[C].pk), ("reopened", members[C].pk),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("asker", True), ("owner", True), (F, True), (PM, True), (A, False), (V, False),
     ("outsider", False)],
)  # fmt: skip
def test_who_resolves_a_question(subject, members, outsider, review_item, who, allowed):
    """The asker, the subject's owner, the facilitator, the project manager; nobody else."""
    owner = members[A]  # an approver who owns the item resolves; another approver does not
    review_item.owner = owner
    review_item.save(update_fields=["owner"])
    asker = members[C]
    thread = thread_ask(subject=subject, acting_user=asker, body="?")
    other_approver = _second_approver(subject.project)
    user = {"asker": asker, "owner": owner, "outsider": outsider, A: other_approver}.get(who)
    user = user or members[who]
    if allowed:
        thread_resolve(thread=thread, acting_user=user, subject_owner_id=owner.pk)
        assert not type(thread).objects.get(pk=thread.pk).is_open
    else:
        with pytest.raises(PermissionDenied):
            thread_resolve(thread=thread, acting_user=user, subject_owner_id=owner.pk)


def _second_approver(project):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(project=project, user=user, role=A)
    return user
