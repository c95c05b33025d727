"""Workshop invitations e-mailed as calendar invitations (issue 16 §5): a REQUEST on
scheduling, an update with the same UID and a higher SEQUENCE on a change, a CANCEL to
whoever is taken off the list, METHOD:CANCEL to everyone on a cancellation; each person
gets each sequence once."""

import datetime
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from reviews.models import WorkshopInvitation
from reviews.services.workshop_invitations import workshop_invitations_send
from reviews.services.workshops import workshop_cancel, workshop_create, workshop_update
from reviews.tasks import workshop_invitations_send_task
from tests.factories import (
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    days_ahead,
    form_datetime,
    make_review,
)

F, PM, A, C, V = (
    Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER,
)  # fmt: skip
GUEST = "grace@partner.example.com"
STARTS = days_ahead(30, 10)  # a month ahead, 10:00 at the site


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[F])


@pytest.fixture
def schedule(review, members, django_capture_on_commit_callbacks):
    def schedule(**fields):
        values = {
            "review": review, "acting_user": members[F], "title": "Readiness workshop",
            "starts_at": STARTS, "duration_minutes": 90, "location": "Room 4",
            "facilitator": members[F], "invitees": [members[A], members[C]],
            "guests": [("Grace Guest", GUEST)],
        }  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            return workshop_create(**(values | fields))

    return schedule


@pytest.fixture
def change(members, django_capture_on_commit_callbacks):
    def change(workshop, **fields):
        values = {
            "title": workshop.title, "starts_at": workshop.starts_at,
            "duration_minutes": workshop.duration_minutes, "location": workshop.location,
            "facilitator": workshop.facilitator, "agenda": workshop.agenda,
            "invitees": [a.user for a in workshop.attendees.all() if a.user_id],
            "guests": [(a.guest_name, a.guest_email) for a in workshop.attendees.all()
                       if not a.user_id],
        }  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            return workshop_update(workshop=workshop, acting_user=members[F], **(values | fields))

    return change


def calendar_of(message):
    """The text/calendar part (what mail programs act on) and the invite.ics attachment,
    which must say the same; the parsed calendar."""
    (part, mimetype) = next(a for a in message.alternatives if a[1].startswith("text/calendar"))
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    method = icalendar.Calendar.from_ical(part)["METHOD"]
    assert mimetype == f"text/calendar; method={method}"
    assert attachment[1] == part.encode()
    return icalendar.Calendar.from_ical(part)


def event_of(message):
    (event,) = calendar_of(message).walk("VEVENT")
    return event


def attendees(event):
    found = event.get("ATTENDEE", [])
    return sorted(
        str(a).removeprefix("mailto:") for a in (found if isinstance(found, list) else [found])
    )


def mails_to(email):
    return [message for message in mail.outbox if message.to == [email]]


def last_to(email):
    return mails_to(email)[-1]


# --- Scheduling -----------------------------------------------------------------------------


def test_scheduling_mails_every_invitee_and_guest_a_request(schedule, members):
    workshop = schedule()
    invited = sorted([members[A].email, members[C].email, GUEST])
    assert sorted(message.to[0] for message in mail.outbox) == invited
    message = last_to(GUEST)
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = event_of(message)
    assert str(event["UID"]) == f"workshop-{workshop.pk}@readiness"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == STARTS.astimezone(datetime.UTC)
    assert event.decoded("DTSTART").tzinfo is not None
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=90)
    assert str(event["LOCATION"]) == "Room 4"
    assert str(event["ORGANIZER"]) == f"mailto:{members[F].email}"
    assert attendees(event) == invited
    guest = next(a for a in event["ATTENDEE"] if str(a) == f"mailto:{GUEST}")
    assert guest.params["PARTSTAT"] == "NEEDS-ACTION"
    assert guest.params["RSVP"] == "TRUE"
    assert guest.params["CN"] == "Grace Guest"
    assert "Invitation: Readiness workshop" in message.subject
    assert "You are invited" in message.body
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    assert workshop.get_absolute_url() in html


def test_the_task_run_twice_sends_each_person_once(schedule, members):
    workshop = schedule()
    assert len(mail.outbox) == 3
    workshop_invitations_send_task.delay(workshop.pk)
    workshop_invitations_send_task(workshop.pk)
    assert len(mail.outbox) == 3
    assert WorkshopInvitation.objects.filter(workshop=workshop, sent_at__isnull=False).count() == 3


def test_an_invitee_without_an_address_is_left_out_and_named_guests_too(schedule, members):
    members[C].email = ""
    members[C].save()
    schedule(guests=[("Sam Sponsor", ""), ("Grace Guest", GUEST)])
    assert sorted(message.to[0] for message in mail.outbox) == sorted([members[A].email, GUEST])


# --- A change -------------------------------------------------------------------------------


def test_a_new_time_sends_everyone_an_update_with_the_same_uid_and_a_higher_sequence(
    schedule, change, members
):
    workshop = schedule()
    first = event_of(last_to(GUEST))
    mail.outbox.clear()
    later = STARTS + datetime.timedelta(days=1)
    workshop = change(workshop, starts_at=later)
    assert workshop.sequence == 1
    assert len(mail.outbox) == 3
    update = last_to(GUEST)
    assert str(calendar_of(update)["METHOD"]) == "REQUEST"
    event = event_of(update)
    assert str(event["UID"]) == str(first["UID"])
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == later.astimezone(datetime.UTC)
    assert "Updated invitation" in update.subject


@pytest.mark.parametrize(
    "fields",
    [{"title": "Renamed"}, {"duration_minutes": 120}, {"location": "Room 5"}],
    ids=["title", "duration", "location"],
)
def test_each_change_people_see_raises_the_sequence(schedule, change, fields):
    workshop = change(schedule(), **fields)
    assert workshop.sequence == 1
    assert event_of(last_to(GUEST))["SEQUENCE"] == 1


def test_a_change_nobody_sees_sends_nothing(schedule, change, review):
    workshop = schedule()
    mail.outbox.clear()
    workshop = change(workshop, agenda=["area-0"])
    assert workshop.sequence == 0
    assert workshop.agenda == ["area-0"]
    assert mail.outbox == []


def test_a_removed_invitee_gets_a_cancel_for_their_copy(schedule, change, members):
    workshop = schedule()
    mail.outbox.clear()
    workshop = change(workshop, invitees=[members[A]])
    cancel = last_to(members[C].email)
    assert str(calendar_of(cancel)["METHOD"]) == "CANCEL"
    event = event_of(cancel)
    assert str(event["UID"]) == workshop.calendar_uid
    assert event["SEQUENCE"] == 1
    assert attendees(event) == [members[C].email]
    assert "No longer invited" in cancel.subject
    update = last_to(members[A].email)
    assert str(calendar_of(update)["METHOD"]) == "REQUEST"
    assert attendees(event_of(update)) == sorted([members[A].email, GUEST])
    assert len(mail.outbox) == 3  # A and the guest get the update, C the cancellation


def test_a_new_invitee_gets_the_invitation_and_the_others_an_update(schedule, change, members):
    workshop = schedule(invitees=[members[A]], guests=[])
    mail.outbox.clear()
    change(workshop, invitees=[members[A], members[V]])
    assert "Invitation:" in last_to(members[V].email).subject
    assert "Updated invitation" in last_to(members[A].email).subject
    assert event_of(last_to(members[V].email))["SEQUENCE"] == 1


def test_a_guest_taken_off_gets_a_cancel(schedule, change, members):
    workshop = schedule()
    mail.outbox.clear()
    change(workshop, guests=[])
    assert str(calendar_of(last_to(GUEST))["METHOD"]) == "CANCEL"


# --- Cancellation ---------------------------------------------------------------------------


def test_a_cancellation_is_method_cancel_with_status_cancelled_to_everyone(
    schedule, members, django_capture_on_commit_callbacks
):
    workshop = schedule()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workshop = workshop_cancel(workshop=workshop, acting_user=members[F])
    assert workshop.is_cancelled
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [members[A].email, members[C].email, GUEST]
    )
    for message in mail.outbox:
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        event = event_of(message)
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == workshop.calendar_uid
        assert event["SEQUENCE"] == 1
        assert "Cancelled:" in message.subject


def test_a_cancellation_before_any_mail_went_out_sends_nothing(review, members):
    workshop = workshop_create(
        review=review,
        acting_user=members[F],
        title="W",
        starts_at=STARTS,
        invitees=[members[A]],
    )  # fmt: skip  (no commit callbacks run: the invitation never left)
    workshop_cancel(workshop=workshop, acting_user=members[F])
    workshop_invitations_send(workshop_id=workshop.pk)
    assert mail.outbox == []


def test_a_cancelled_workshop_cannot_be_changed_or_cancelled_again(schedule, change, members):
    workshop = schedule()
    workshop_cancel(workshop=workshop, acting_user=members[F])
    with pytest.raises(ValidationError):
        change(workshop, title="Again")
    with pytest.raises(ValidationError):
        workshop_cancel(workshop=workshop, acting_user=members[F])


# --- Mail faults ----------------------------------------------------------------------------


class RefusesGrace(LocmemBackend):
    """The relay refuses the guest's address for good (550); everyone else is delivered."""

    def send_messages(self, messages):
        for message in messages:
            if GUEST in message.to:
                raise SMTPRecipientsRefused({GUEST: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


class RelayAway(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_refused_address_does_not_stop_the_others(schedule, members, settings):
    settings.EMAIL_BACKEND = "tests.reviews.test_workshop_calendar_mail.RefusesGrace"
    workshop = schedule()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([members[A].email, members[C].email])
    refused = WorkshopInvitation.objects.get(workshop=workshop, email=GUEST)
    assert refused.failed_at is not None
    assert "550" in refused.last_error
    workshop_invitations_send(workshop_id=workshop.pk)  # never tried again
    assert len(mail.outbox) == 2


def test_a_relay_away_records_nothing_and_the_retry_sends_everyone_once(
    schedule, members, settings, monkeypatch
):
    from readiness.celery import app

    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.reviews.test_workshop_calendar_mail.RelayAway"
    workshop = schedule()  # the task fails after the commit, retried up to its cap
    result = workshop_invitations_send_task.apply(args=[workshop.pk])
    assert result.failed()
    assert isinstance(result.result, SMTPServerDisconnected)
    assert not WorkshopInvitation.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workshop_invitations_send_task(workshop.pk)
    workshop_invitations_send_task(workshop.pk)
    assert len(mail.outbox) == 3


# --- Pages ----------------------------------------------------------------------------------


def url(workshop, name):
    review = workshop.review
    return reverse(f"reviews:{name}", args=[review.project_id, review.pk, workshop.pk])


def test_the_facilitator_reschedules_on_the_page_and_invitees_get_the_update(
    client_for, schedule, members, django_capture_on_commit_callbacks
):
    workshop = schedule()
    mail.outbox.clear()
    form = {
        "title": "Readiness workshop",
        "starts_at": form_datetime(STARTS + datetime.timedelta(days=1, hours=4)),
        "duration_minutes": 90,
        "location": "Room 4", "facilitator": members[F].pk,
        "invitees": [members[A].pk, members[C].pk], "guests": f"Grace Guest <{GUEST}>",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(members[F]).post(url(workshop, "workshop_edit"), form, follow=True)
    assert "Everyone invited is being e-mailed the update." in response.text
    workshop.refresh_from_db()
    assert workshop.sequence == 1
    assert timezone.localtime(workshop.starts_at).hour == 14
    assert len(mail.outbox) == 3


def test_the_edit_form_shows_the_workshop_as_it_is(client_for, schedule, members):
    workshop = schedule()
    response = client_for(members[F]).get(url(workshop, "workshop_edit"))
    assert response.status_code == 200
    assert f'value="{form_datetime(STARTS)}"' in response.text
    assert f"Grace Guest &lt;{GUEST}&gt;" in response.text


def test_the_facilitator_cancels_on_the_page(
    client_for, schedule, members, django_capture_on_commit_callbacks
):
    workshop = schedule()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(members[F]).post(url(workshop, "workshop_cancel"), follow=True)
    assert "Workshop cancelled." in response.text
    assert "Cancelled" in response.text
    assert "Everyone invited was sent a cancellation" in response.text
    assert 'href="' + url(workshop, "workshop_edit") not in response.text


@pytest.mark.parametrize("role", [C, V, A])
def test_a_role_that_may_not_manage_workshops_cannot_reschedule_or_cancel(
    client_for, schedule, members, role
):
    workshop = schedule()
    client = client_for(members[role])
    response = client.post(
        url(workshop, "workshop_edit"),
        {
            "title": "Mine",
            "starts_at": form_datetime(STARTS + datetime.timedelta(days=4)),
            "duration_minutes": 90,
        },
    )
    assert response.status_code == 403
    assert "Only the facilitator and the project manager" in response.text
    assert client.post(url(workshop, "workshop_cancel")).status_code == 403
    workshop.refresh_from_db()
    assert (workshop.title, workshop.sequence, workshop.is_cancelled) == (
        "Readiness workshop", 0, False,
    )  # fmt: skip
    page = client.get(url(workshop, "workshop_detail")).text
    assert url(workshop, "workshop_edit") not in page
    assert url(workshop, "workshop_cancel") not in page


def test_another_project_s_workshop_is_a_404(client_for, schedule):
    workshop = schedule()
    stranger = UserFactory()
    MembershipFactory(project=ProjectFactory(), user=stranger, role=Role.PROJECT_MANAGER)
    client = client_for(stranger)
    for name in ("workshop_detail", "workshop_edit", "workshop_ics"):
        assert client.get(url(workshop, name)).status_code == 404
    assert client.post(url(workshop, "workshop_cancel")).status_code == 404
    workshop.refresh_from_db()
    assert not workshop.is_cancelled


def test_the_download_has_the_same_uid_and_the_current_sequence(
    client_for, schedule, change, members
):
    workshop = change(schedule(), title="Renamed")
    response = client_for(members[V]).get(url(workshop, "workshop_ics"))
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == workshop.calendar_uid
    assert event["SEQUENCE"] == 1


def test_the_page_says_who_got_the_invitation(client_for, schedule, members, settings):
    settings.EMAIL_BACKEND = "tests.reviews.test_workshop_calendar_mail.RefusesGrace"
    workshop = schedule()
    page = client_for(members[V]).get(url(workshop, "workshop_detail")).text
    assert "Invitation e-mailed to 2 of 3" in page
    assert f"Refused by the mail server: {GUEST}" in page


@pytest.mark.parametrize("size", [2, 30])
def test_workshop_page_query_count_is_flat(
    client_for, review, members, django_assert_max_num_queries, size,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    guests = [(f"Guest {n}", f"guest{n}@partner.example.com") for n in range(size)]
    with django_capture_on_commit_callbacks(execute=True):
        workshop = workshop_create(
            review=review, acting_user=members[F], title="W", starts_at=STARTS,
            invitees=list(members.values()), guests=guests,
        )  # fmt: skip
    assert WorkshopInvitation.objects.filter(workshop=workshop).count() == size + len(members)
    client = client_for(members[F])
    with django_assert_max_num_queries(7):  # 7 at both sizes
        response = client.get(url(workshop, "workshop_detail"))
    assert response.status_code == 200
    assert f"Guest {size - 1}" in response.text


def test_a_workshop_recorded_after_it_happened_mails_nobody(schedule):
    schedule(starts_at=timezone.now() - datetime.timedelta(days=3))
    assert mail.outbox == []


def test_a_cancelled_workshop_leaves_my_next_workshops(client_for, schedule, members):
    workshop = schedule(starts_at=timezone.now() + datetime.timedelta(days=2))
    client = client_for(members[A])
    assert workshop.get_absolute_url() in client.get(reverse("home")).text
    workshop_cancel(workshop=workshop, acting_user=members[F])
    assert workshop.get_absolute_url() not in client.get(reverse("home")).text


def test_foreign_links_and_control_characters_typed_never_reach_the_mail(schedule):
    schedule(
        title="Log in at http://evil.example/x first\r\nBcc: eve@evil.example",
        location="https://evil.example/meet",
        guests=[("Grace\rGuest\x1b", GUEST)],
    )
    message = last_to(GUEST)
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    for text in (message.subject, message.body, html):
        assert "http://evil.example" not in text
        assert "https://evil.example" not in text
    assert "evil[.]example" in message.body
    assert "\r" not in message.subject
    assert "\n" not in message.subject
    assert message.to == [GUEST]
    assert message.bcc == []
    event = event_of(message)
    assert "http://evil.example" not in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "https://evil.example/meet"  # kept: the meeting link
    guest = next(a for a in event["ATTENDEE"] if str(a) == f"mailto:{GUEST}")
    assert guest.params["CN"] == "Grace Guest"
