"""@mentions: who a handle names, what the text shows, and who is told (exactly once)."""

from discussions.mentions import handles_of, mentions_in, preferred_handles, render_mentions
from discussions.services import comment_edit, thread_ask, thread_reply
from notifications.models import Delivery, Kind, Notification
from projects.models import Role
from tests.factories import MembershipFactory, UserFactory


def mentioned(user):
    return list(Notification.objects.filter(recipient=user, kind=Kind.MENTIONED))


def test_handles_are_the_local_part_or_the_whole_address_when_two_share_it(db):
    sam_one = UserFactory(email="sam@one.example", full_name="Sam One")
    sam_two = UserFactory(email="sam@two.example", full_name="Sam Two")
    fiona = UserFactory(email="Fiona.F@demo.example", full_name="Fiona F")
    handles = handles_of([sam_one, sam_two, fiona])
    assert handles["fiona.f"] == fiona
    assert "sam" not in handles
    assert handles["sam@one.example"] == sam_one
    assert handles["sam@two.example"] == sam_two
    assert [handle for handle, _ in preferred_handles([sam_one, sam_two, fiona])] == [
        "fiona.f", "sam@one.example", "sam@two.example",
    ]  # fmt: skip


def test_mentions_in_finds_members_only_and_ignores_trailing_punctuation(db):
    fiona = UserFactory(email="fiona@demo.example", full_name="Fiona F")
    found = mentions_in("Ask @fiona. And @nobody, or mail x@fiona.example", [fiona])
    assert found == {"fiona": {"id": fiona.pk, "name": "Fiona F"}}


def test_render_mentions_highlights_members_escapes_the_rest():
    html = render_mentions(
        "<b>hi</b> @fiona and @stranger\nnext", {"fiona": {"id": 1, "name": "Fiona <F>"}}
    )
    assert '<span class="mention" title="Fiona &lt;F&gt;">@fiona</span>' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert html.count('class="mention"') == 1
    assert " and @stranger<br>" in html
    assert "<br>next" in html


def test_a_question_tells_each_mentioned_member_once_not_the_author(subject, members):
    asker = members[Role.CONTRIBUTOR]
    facilitator, pm = members[Role.FACILITATOR], members[Role.PROJECT_MANAGER]
    text = f"@{facilitator.email} @{pm.email} twice @{pm.email}, and me @{asker.email}?"
    thread = thread_ask(subject=subject, acting_user=asker, body=text)
    assert len(mentioned(facilitator)) == 1
    assert len(mentioned(pm)) == 1
    assert mentioned(asker) == []
    told = mentioned(facilitator)[0]
    assert told.actor == asker
    assert told.project == subject.project
    assert told.url == f"{subject.url}#comment-{thread.comments.get().pk}"
    assert subject.label in told.title


def test_a_non_member_is_not_told_and_stays_plain_text(subject, members, outsider):
    thread = thread_ask(
        subject=subject, acting_user=members[Role.CONTRIBUTOR], body=f"@{outsider.email} help?"
    )
    assert mentioned(outsider) == []
    comment = thread.comments.get()
    assert comment.mentions == {}
    assert "mention" not in render_mentions(comment.body, comment.mentions)


def test_an_inactive_member_is_not_told(subject, members, project):
    gone = UserFactory(email="gone@example.com", is_active=False)
    MembershipFactory(project=project, user=gone, role=Role.CONTRIBUTOR)
    thread_ask(subject=subject, acting_user=members[Role.CONTRIBUTOR], body="@gone still there?")
    assert mentioned(gone) == []


def test_editing_a_comment_to_mention_again_does_not_tell_twice(subject, members):
    asker, facilitator = members[Role.CONTRIBUTOR], members[Role.FACILITATOR]
    pm = members[Role.PROJECT_MANAGER]
    thread = thread_ask(subject=subject, acting_user=asker, body=f"@{facilitator.email} ok?")
    comment = thread.comments.get()
    comment_edit(comment=comment, acting_user=asker, body=f"@{facilitator.email} ok now?")
    comment_edit(comment=comment, acting_user=asker, body="no one")
    comment_edit(comment=comment, acting_user=asker, body=f"@{facilitator.email} @{pm.email}")
    assert len(mentioned(facilitator)) == 1
    assert len(mentioned(pm)) == 1  # newly mentioned by the edit: told once


def test_a_mention_in_another_answer_tells_again(subject, members):
    asker, facilitator = members[Role.CONTRIBUTOR], members[Role.FACILITATOR]
    thread = thread_ask(subject=subject, acting_user=asker, body=f"@{facilitator.email} ok?")
    thread_reply(thread=thread, acting_user=asker, body=f"@{facilitator.email} any news?")
    assert len(mentioned(facilitator)) == 2


def test_a_mention_goes_out_by_e_mail_at_once_by_default(subject, members):
    """Someone waits for an answer (notifications.models.DEFAULT_DELIVERY)."""
    facilitator = members[Role.FACILITATOR]
    thread_ask(
        subject=subject, acting_user=members[Role.CONTRIBUTOR], body="@x @" + facilitator.email
    )
    assert mentioned(facilitator)[0].delivery == Delivery.EMAIL


def test_the_notification_key_is_per_comment(subject, members):
    asker, facilitator = members[Role.CONTRIBUTOR], members[Role.FACILITATOR]
    thread = thread_ask(subject=subject, acting_user=asker, body=f"@{facilitator.email} ?")
    comment = thread.comments.get()
    assert mentioned(facilitator)[0].key == f"mention:comment:{comment.pk}"


def answered(user):
    return list(Notification.objects.filter(recipient=user, kind=Kind.ANSWERED))


def test_the_asker_is_told_of_each_answer_once_and_not_of_their_own(subject, members):
    asker, pm = members[Role.CONTRIBUTOR], members[Role.PROJECT_MANAGER]
    thread = thread_ask(subject=subject, acting_user=asker, body="Is UAT cycle 2 needed?")
    reply = thread_reply(thread=thread, acting_user=pm, body="Yes, it closes Friday.")
    (told,) = answered(asker)
    assert told.title == f"{pm} answers your question on “{subject.label}”"
    assert told.url == f"{subject.url}#comment-{reply.pk}"
    thread_reply(thread=thread, acting_user=asker, body="Thanks.")
    assert len(answered(asker)) == 1
    assert answered(pm) == []


def test_an_answer_that_mentions_the_asker_tells_them_once(subject, members):
    asker, pm = members[Role.CONTRIBUTOR], members[Role.PROJECT_MANAGER]
    thread = thread_ask(subject=subject, acting_user=asker, body="Is UAT cycle 2 needed?")
    thread_reply(thread=thread, acting_user=pm, body=f"@{asker.email} yes.")
    assert len(mentioned(asker)) == 1
    assert answered(asker) == []
