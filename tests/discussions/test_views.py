"""The questions panel on the item, finding and workshop pages: who sees and does what,
another project's thread is a 404, the open counts on the review page, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Thread
from discussions.services import thread_ask, thread_resolve
from projects.models import Role
from tests.factories import MembershipFactory, ProjectFactory, make_review

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip
ROLES = [F, PM, A, C, V]
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, project, *args):
    return reverse(f"discussions:{name}", args=[project.pk, *args])


def ask_url(subject):
    return url("ask", subject.project, subject.kind, subject.pk)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_questions_on_the_item_page(
    client_for, subject, members, review_item, role
):
    thread_ask(subject=subject, acting_user=members[C], body=f"Is @{members[F].email} sure?")
    response = client_for(members[role]).get(review_item.get_absolute_url())
    assert response.status_code == 200
    assert f'id="{subject.dom_id}"' in response.text
    assert '<span class="mention" title="Facilitator Person">@' in response.text
    assert ("Ask a question" in response.text) is (role != V)


@pytest.mark.parametrize("role", ROLES)
def test_contributing_members_ask_viewers_are_refused(client_for, subject, members, role):
    response = client_for(members[role]).post(ask_url(subject), {"body": "Why?"}, **HTMX)
    if role == V:
        assert response.status_code == 403
        assert not Thread.objects.exists()
    else:
        assert response.status_code == 200
        assert "Question asked." in response.text
        assert Thread.objects.get().asked_by == members[role]


def test_an_outsider_gets_a_404_everywhere(client_for, subject, members, outsider):
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    comment = thread.comments.get()
    client = client_for(outsider)
    project = subject.project
    for response in (
        client.get(url("panel", project, subject.kind, subject.pk), **HTMX),
        client.post(ask_url(subject), {"body": "x"}),
        client.post(url("reply", project, thread.pk), {"body": "x"}),
        client.post(url("resolve", project, thread.pk)),
        client.post(url("reopen", project, thread.pk)),
        client.get(url("edit", project, comment.pk), **HTMX),
        client.post(url("withdraw", project, comment.pk)),
    ):
        assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_another_projects_thread_is_a_404_for_a_member_of_this_one(
    client_for, subject, members, outsider
):
    """The outsider is a project manager elsewhere: their own project's ids do not reach
    into this one, and this project's threads are not found through theirs."""
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    theirs = outsider.memberships.get().project
    client = client_for(outsider)
    assert client.post(url("reply", theirs, thread.pk), {"body": "x"}).status_code == 404
    assert client.post(url("resolve", theirs, thread.pk)).status_code == 404
    item_of_here = subject.pk
    assert client.post(reverse("discussions:ask", args=[theirs.pk, "item", item_of_here]),
                       {"body": "x"}).status_code == 404  # fmt: skip
    assert client.get(url("panel", theirs, "nonsense", 1), **HTMX).status_code == 404


def test_an_item_of_another_project_cannot_be_asked_about_through_this_one(
    client_for, project, members
):
    other = ProjectFactory()
    MembershipFactory(project=other, user=members[F], role=F)
    foreign_item = make_review(other, acting_user=members[F]).items.first()
    client = client_for(members[C])
    response = client.post(
        reverse("discussions:ask", args=[project.pk, "item", foreign_item.pk]), {"body": "x"}
    )
    assert response.status_code == 404


def test_asking_without_htmx_goes_back_to_the_subject_page(client_for, subject, members):
    response = client_for(members[C]).post(ask_url(subject), {"body": "Why?"})
    assert response.status_code == 302
    assert response.url == f"{subject.url}#{subject.dom_id}"


def test_an_empty_question_shows_the_error_in_the_panel(client_for, subject, members):
    response = client_for(members[C]).post(ask_url(subject), {"body": " "}, **HTMX)
    assert response.status_code == 422
    assert "Write something first." in response.text


def test_editing_after_fifteen_minutes_is_refused_in_the_page(client_for, subject, members):
    thread = thread_ask(subject=subject, acting_user=members[C], body="First")
    comment = thread.comments.get()
    client = client_for(members[C])
    panel = client.get(url("panel", subject.project, subject.kind, subject.pk), **HTMX)
    assert f'href="{url("edit", subject.project, comment.pk)}"' in panel.text
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    )
    panel = client.get(url("panel", subject.project, subject.kind, subject.pk), **HTMX)
    assert f'href="{url("edit", subject.project, comment.pk)}"' not in panel.text
    response = client.post(url("edit", subject.project, comment.pk), {"body": "Late"}, **HTMX)
    assert response.status_code == 422
    assert "Comments can be changed for 15 minutes" in response.text
    comment.refresh_from_db()
    assert comment.body == "First"


def test_an_edited_comment_shows_edited_and_its_earlier_text(client_for, subject, members):
    thread = thread_ask(subject=subject, acting_user=members[C], body="Frist")
    comment = thread.comments.get()
    client = client_for(members[C])
    form = client.get(url("edit", subject.project, comment.pk), **HTMX)
    assert 'name="body"' in form.text
    assert ">Frist</textarea>" in form.text
    response = client.post(url("edit", subject.project, comment.pk), {"body": "First"}, **HTMX)
    assert response.status_code == 200
    assert ">edited</span>" in response.text
    assert "Earlier text" in response.text
    assert "Frist" in response.text


def test_withdrawing_shows_withdrawn(client_for, subject, members):
    comment = thread_ask(subject=subject, acting_user=members[C], body="oops").comments.get()
    response = client_for(members[C]).post(url("withdraw", subject.project, comment.pk), **HTMX)
    assert "Withdrawn by its author." in response.text


@pytest.mark.parametrize(("role", "status"), [(F, 200), (PM, 200), (C, 200), (A, 403), (V, 403)])
def test_resolve_and_reopen_through_the_page(client_for, subject, members, role, status):
    """The contributor asked; the approver neither asked nor owns the item."""
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    client = client_for(members[role])
    response = client.post(url("resolve", subject.project, thread.pk), **HTMX)
    assert response.status_code == status
    thread.refresh_from_db()
    assert thread.is_open is (status != 200)
    if status == 200:
        assert f'Resolved</span> <span class="text-body-secondary">by {members[role]}' in (
            response.text
        )
        response = client.post(url("reopen", subject.project, thread.pk), **HTMX)
        assert "Reopened by" in response.text
        thread.refresh_from_db()
        assert thread.is_open


def test_the_item_owner_may_resolve(client_for, subject, members, review_item, item_subject_of):
    review_item.owner = members[A]
    review_item.save(update_fields=["owner"])
    thread = thread_ask(subject=subject, acting_user=members[C], body="?")
    response = client_for(members[A]).post(url("resolve", subject.project, thread.pk), **HTMX)
    assert response.status_code == 200
    assert not Thread.objects.get().is_open


def test_the_finding_page_shows_its_questions(client_for, finding, members, risk):
    thread_ask(subject=finding, acting_user=members[C], body="Is the workaround tested?")
    response = client_for(members[V]).get(risk.get_absolute_url())
    assert response.status_code == 200
    assert "Is the workaround tested?" in response.text
    assert f'id="questions-finding-{risk.pk}"' in response.text


# --- Counts on the review page and in workshop mode -------------------------------------


def open_counts_on_review_page(client, review):
    import re

    text = client.get(review.get_absolute_url()).text
    return {
        int(item): int(count)
        for item, count in re.findall(
            r'items/(\d+)/#questions-item-\d+" data-open-questions="(\d+)"', text
        )
    }


def test_the_review_page_counts_open_questions_per_row_and_follows_new_ones(
    client_for, project, members, review_item, item_subject_of
):
    """The rows come from the cache (reviews.row_cache): a new question must show anyway."""
    review = review_item.review
    client = client_for(members[A])
    assert open_counts_on_review_page(client, review) == {}
    subject = item_subject_of(review_item, members[C])
    first = thread_ask(subject=subject, acting_user=members[C], body="one?")
    assert open_counts_on_review_page(client, review) == {review_item.pk: 1}
    client_for(members[C]).post(ask_url(subject), {"body": "two?"}, **HTMX)
    client = client_for(members[A])
    assert open_counts_on_review_page(client, review) == {review_item.pk: 2}
    thread_resolve(thread=first, acting_user=members[F])
    assert open_counts_on_review_page(client, review) == {review_item.pk: 1}


def test_workshop_mode_shows_the_question_big_with_an_answer_box(
    client_for, subject, members, review_item
):
    thread_ask(subject=subject, acting_user=members[C], body=f"@{members[F].email} when?")
    review = review_item.review
    workshop_url = reverse("reviews:workshop_mode", args=[review.project_id, review.pk])
    response = client_for(members[F]).get(workshop_url, {"item": review_item.pk})
    text = response.text
    assert response.status_code == 200
    assert "questions-workshop" in text
    assert "1 open question in this review" in text
    assert 'name="workshop" value="1"' in text
    assert f'id="reply-{Thread.objects.get().pk}"' in text


def test_an_answer_from_workshop_mode_comes_back_big(client_for, subject, members):
    thread = thread_ask(subject=subject, acting_user=members[C], body="when?")
    response = client_for(members[F]).post(
        url("reply", subject.project, thread.pk), {"body": "Friday", "workshop": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert "questions-workshop" in response.text
    assert "Answer added." in response.text


# --- Query counts ----------------------------------------------------------------------------


def many_threads(subject, members, count):
    for n in range(count):
        thread = thread_ask(
            subject=subject, acting_user=members[C], body=f"Q{n} @{members[F].email}"
        )
        thread_resolve(thread=thread, acting_user=members[F]) if n % 2 else None
        from discussions.services import thread_reply

        thread_reply(thread=thread, acting_user=members[PM], body=f"A{n}")


@pytest.mark.parametrize("count", [1, 12])
def test_item_and_finding_pages_query_count_is_flat(
    client_for, subject, finding, members, review_item, risk, count, django_assert_max_num_queries
):
    many_threads(subject, members, count)
    many_threads(finding, members, count)
    client = client_for(members[C])
    # Measured: the same at 1 and at 12 threads (with answers, mentions and resolutions).
    # The questions add four to a page: threads, comments, earlier texts, resolutions.
    with django_assert_max_num_queries(13):
        assert client.get(review_item.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(risk.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(9):
        assert (
            client.get(url("panel", subject.project, "item", subject.pk), **HTMX).status_code == 200
        )


@pytest.mark.parametrize("items", [20, 200])
def test_the_review_page_query_count_stays_flat_with_questions(
    client_for, project, members, items, item_subject_of, django_assert_max_num_queries
):
    from tests.reviews.test_review_queries import REVIEW_PAGE_MAX_QUERIES, big_review

    review = big_review(project, members, items)
    for item in list(review.items.select_related("section", "review"))[::3]:
        thread_ask(subject=item_subject_of(item, members[C]), acting_user=members[C], body="?")
    client = client_for(members[A])
    with django_assert_max_num_queries(REVIEW_PAGE_MAX_QUERIES):
        response = client.get(review.get_absolute_url())
    assert response.text.count("data-open-questions=") == len(range(0, items, 3))
