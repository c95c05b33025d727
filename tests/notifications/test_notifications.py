"""The bell: who is told what, how they want it delivered, and the pages."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from decisions.services import decision_open, decision_record, vote_cast
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.services import notify
from notifications.tasks import notification_email_send_task
from projects.models import Role
from reminders.services import reminders_sweep
from reviews.services.items import review_item_update
from risks.services.actions import action_create, action_reassign
from tests.factories import MembershipFactory, UserFactory, make_review

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip


def told(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def prefer(user, kind, delivery):
    NotificationPreference.objects.create(user=user, kind=kind, delivery=delivery)


# --- notify ---------------------------------------------------------------------------------


def test_notify_leaves_out_the_actor_and_inactive_people(project, members):
    gone = UserFactory(is_active=False)
    made = notify(
        recipients=[members[C], members[F], gone], kind=Kind.MENTIONED, title="Look",
        url="/", project=project, actor=members[F],
    )  # fmt: skip
    assert [n.recipient for n in made] == [members[C]]


def test_notify_tells_a_person_once_under_one_key(project, members):
    for _ in range(2):
        notify(recipients=[members[C]], kind=Kind.OWNER, title="Yours", url="/", key="k-1")
    assert len(told(members[C])) == 1


def test_notify_mails_at_once_only_who_wants_it_and_only_once(
    project, members, django_capture_on_commit_callbacks
):
    prefer(members[C], Kind.OWNER, Delivery.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[members[C], members[A]], kind=Kind.OWNER, title="You own item 1.1",
            url="/projects/1/", project=project,
        )  # fmt: skip
    (message,) = mail.outbox
    assert message.to == [members[C].email]
    assert "You own item 1.1" in message.subject
    assert "http" in message.body
    assert "/projects/1/" in message.body
    # A redelivered task sends nothing more.
    notification_email_send_task(told(members[C])[0].pk)
    assert len(mail.outbox) == 1
    assert told(members[A])[0].delivery == Delivery.DIGEST


# --- Who is told ------------------------------------------------------------------------------


def test_a_new_item_owner_is_told_and_the_editor_is_not(review_item, members):
    review_item_update(
        item=review_item, acting_user=members[F], version=review_item.version, owner=members[C]
    )
    (notification,) = told(members[C], Kind.OWNER)
    assert review_item.title in notification.title
    assert notification.url == review_item.get_absolute_url()
    assert told(members[F]) == []


def test_an_item_marked_done_asks_its_signers(review_item, members):
    review_item_update(
        item=review_item, acting_user=members[F], version=review_item.version, status="done"
    )
    # The test checklist's items name the business owner, whom the approver holds.
    (notification,) = told(members[A], Kind.SIGNOFF_REQUESTED)
    assert "sign-off is awaited" in notification.title
    assert told(members[C], Kind.SIGNOFF_REQUESTED) == []
    assert told(members[V], Kind.SIGNOFF_REQUESTED) == []
    # A second change of the response asks again (the sign-offs were superseded).
    item = type(review_item).objects.get(pk=review_item.pk)
    review_item_update(item=item, acting_user=members[F], version=item.version, response="More")
    assert len(told(members[A], Kind.SIGNOFF_REQUESTED)) == 2


def test_an_item_in_progress_asks_nobody_to_sign(review_item, members):
    review_item_update(
        item=review_item, acting_user=members[F], version=review_item.version,
        status="in_progress",
    )  # fmt: skip
    assert told(members[A]) == []


def test_action_owners_are_told_when_given_and_when_reassigned(risk, members):
    action = action_create(
        risk=risk, acting_user=members[F], description="Load test the interfaces",
        owner=members[A],
    )  # fmt: skip
    (given,) = told(members[A], Kind.OWNER)
    assert "Load test the interfaces" in given.title
    assert risk.reference in given.title
    action_reassign(action=action, acting_user=members[PM], owner=members[C])
    assert any("Load test" in n.title for n in told(members[C], Kind.OWNER))


def test_vote_and_decision_follow_each_persons_choice(
    project, members, django_capture_on_commit_callbacks
):
    second = UserFactory(full_name="Second Approver")
    MembershipFactory(project=project, user=second, role=A)
    prefer(second, Kind.VOTE_OPENED, Delivery.IN_APP)
    prefer(members[V], Kind.DECISION_RECORDED, Delivery.DIGEST)
    review = make_review(project, acting_user=members[F])
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_open(review=review, acting_user=members[F])
    (opened,) = mail.outbox
    assert opened.to == [members[A].email]  # the second approver chose the bell only
    assert told(second, Kind.VOTE_OPENED)
    assert told(members[A], Kind.VOTE_OPENED)
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(decision=decision, acting_user=members[A], choice="no_go")
        decision_record(
            decision=decision, acting_user=members[F], outcome="no_go",
            rationale="UAT is not done", what_must_change="Finish UAT",
        )  # fmt: skip
    recorded = mail.outbox[1]
    assert members[V].email not in recorded.to
    assert members[PM].email in recorded.to
    (line,) = told(members[V], Kind.DECISION_RECORDED)
    assert line.title.startswith("No-go recorded")
    assert line.delivery == Delivery.DIGEST
    assert told(members[F], Kind.DECISION_RECORDED) == []  # they recorded it


# --- The digest ---------------------------------------------------------------------------------


def test_a_notification_wanted_in_the_digest_is_told_there_once(review_item, members):
    review_item_update(
        item=review_item, acting_user=members[F], version=review_item.version, owner=members[C]
    )
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    reminders_sweep(now=noon)
    (digest,) = [m for m in mail.outbox if m.to == [members[C].email]]
    assert "Notifications" in digest.body
    assert f"You own the checklist item “{review_item.title}”" in digest.body
    assert "Now yours; told " in digest.body
    assert "1 notification" in digest.subject or "1 notification" in digest.body
    mail.outbox.clear()
    reminders_sweep(now=noon + datetime.timedelta(days=1))
    assert [m for m in mail.outbox if m.to == [members[C].email]] == []


def test_a_notification_read_under_the_bell_stays_out_of_the_digest(review_item, members):
    review_item_update(
        item=review_item, acting_user=members[F], version=review_item.version, owner=members[C]
    )
    Notification.objects.filter(recipient=members[C]).update(read_at=timezone.now())
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    reminders_sweep(now=noon)
    assert [m for m in mail.outbox if m.to == [members[C].email]] == []


def test_the_demo_bell_starts_with_a_few_unread(db):
    call_command("seed_demo", stdout=io.StringIO())
    unread = Notification.objects.filter(read_at__isnull=True)
    per_person = unread.values("recipient").annotate(n=Count("pk"))
    assert unread.exists()
    assert max(row["n"] for row in per_person) <= 3


# --- Pages ---------------------------------------------------------------------------------------


def _many(user, project, count):
    for n in range(count):
        notify(recipients=[user], kind=Kind.OWNER, title=f"Thing {n}", url="/", project=project)


def test_bell_shows_the_unread_count(client_for, members, project):
    client = client_for(members[C])
    assert "none unread" in client.get(reverse("notifications:bell")).content.decode()
    _many(members[C], project, 3)
    page = client.get(reverse("notifications:bell")).content.decode()
    assert '3<span class="visually-hidden"> unread' in page


def test_list_opens_a_notification_marks_it_read_and_goes_to_its_page(client_for, members, project):
    (made,) = notify(
        recipients=[members[C]],
        kind=Kind.OWNER,
        title="You own R-1",
        url="/projects/",
        project=project,
    )
    client = client_for(members[C])
    page = client.get(reverse("notifications:list")).content.decode()
    assert "You own R-1" in page
    assert "Mark all read (1)" in page
    response = client.get(reverse("notifications:open", args=[made.pk]))
    assert response.status_code == 302
    assert response.url == "/projects/"
    made.refresh_from_db()
    assert made.is_read


def test_a_notification_that_is_not_yours_is_not_found(client_for, members, project):
    (made,) = notify(recipients=[members[C]], kind=Kind.OWNER, title="x", url="/", project=project)
    response = client_for(members[A]).get(reverse("notifications:open", args=[made.pk]))
    assert response.status_code == 404
    made.refresh_from_db()
    assert not made.is_read


def test_a_stored_address_elsewhere_is_not_followed(client_for, members, project):
    (made,) = notify(
        recipients=[members[C]],
        kind=Kind.OWNER,
        title="x",
        url="https://evil.example/",
        project=project,
    )
    response = client_for(members[C]).get(reverse("notifications:open", args=[made.pk]))
    assert response.url == reverse("notifications:list")


def test_mark_all_read(client_for, members, project):
    _many(members[C], project, 2)
    _many(members[A], project, 1)
    response = client_for(members[C]).post(reverse("notifications:read"), follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # the approver's


def test_mark_one_read_touches_only_that_one(client_for, members, project):
    _many(members[C], project, 2)
    first, second = Notification.objects.filter(recipient=members[C]).order_by("pk")
    client = client_for(members[C])
    for bad in ("nope", "9" * 40, ""):
        client.post(reverse("notifications:read"), {"id": bad})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    client.post(reverse("notifications:read"), {"id": first.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read
    assert not second.is_read


def test_empty_list_says_what_will_come(client_for, members):
    page = client_for(members[V]).get(reverse("notifications:list")).content.decode()
    assert "Nothing to tell you yet." in page


def test_preferences_are_saved_per_kind(client_for, members):
    client = client_for(members[C])
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Someone mentions you in a question thread" in page
    data = dict.fromkeys(Kind.values, Delivery.DIGEST)
    data[Kind.MENTIONED] = Delivery.IN_APP
    response = client.post(reverse("notifications:preferences"), data, follow=True)
    assert "Notification settings saved." in response.content.decode()
    assert NotificationPreference.objects.get(user=members[C], kind=Kind.MENTIONED).delivery == (
        Delivery.IN_APP
    )


def test_preferences_refuse_an_unknown_choice_in_the_page(client_for, members):
    data = dict.fromkeys(Kind.values, "pigeon")
    response = client_for(members[C]).post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_navigation_loads_the_bell(client_for, members):
    page = client_for(members[C]).get(reverse("project_list")).content.decode()
    assert reverse("notifications:bell") in page


@pytest.mark.parametrize("size", [3, 60])
def test_list_and_bell_queries_do_not_grow(
    client_for, members, project, size, django_assert_max_num_queries
):
    _many(members[C], project, size)
    client = client_for(members[C])
    with django_assert_max_num_queries(6):
        assert client.get(reverse("notifications:list")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("notifications:bell")).status_code == 200
