"""The workshop .ics invitation against what people type (issue 12, Low and Medium #5).

A guest named ``Eve:mailto:eve@evil.example;ROLE=CHAIR`` injected an attendee (the CN
was not quoted), a bare CR passed through, guest addresses were barely checked, and a
workshop in the year 9999 gave a server error on its .ics.
"""

import datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from reviews.models import Workshop
from reviews.services.workshop_invitations import workshop_ics
from reviews.services.workshops import workshop_create
from tests.factories import make_review

F = Role.FACILITATOR


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[F])


def create_url(review):
    return reverse("reviews:workshop_create", args=[review.project_id, review.pk])


def schedule(review, members, **fields):
    values = {
        "review": review,
        "acting_user": members[F],
        "title": "Readiness workshop",
        "starts_at": timezone.now() + datetime.timedelta(days=2),
        "facilitator": members[F],
    }
    return workshop_create(**(values | fields))


def event_of(workshop):
    calendar = icalendar.Calendar.from_ical(workshop_ics(workshop))
    (event,) = calendar.walk("VEVENT")
    return event


def attendees(event):
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


# --- Injection ------------------------------------------------------------------------------


def test_a_guest_name_cannot_inject_an_attendee_or_a_parameter(review, members):
    name = "Eve:mailto:eve@evil.example;ROLE=CHAIR"
    workshop = schedule(review, members, guests=[(name, "real@partner.example.com")])
    data = workshop_ics(workshop).decode()
    assert "mailto:eve@evil.example" not in data.replace(f'CN="{name}"', "")
    (guest,) = attendees(event_of(workshop))
    assert str(guest) == "mailto:real@partner.example.com"
    assert guest.params["CN"] == name
    assert guest.params["ROLE"] == "REQ-PARTICIPANT"


def test_a_double_quote_in_a_name_cannot_end_the_quoted_parameter(review, members):
    name = 'Eve";ROLE=CHAIR;X="'
    workshop = schedule(review, members, guests=[(name, "real@partner.example.com")])
    (guest,) = attendees(event_of(workshop))
    assert guest.params["ROLE"] == "REQ-PARTICIPANT"
    assert '"' not in guest.params["CN"]


def test_control_characters_never_reach_the_invitation(review, members):
    workshop = schedule(
        review,
        members,
        title="Cutover\rATTENDEE:mailto:evil@evil.example",
        location="Room 4\x0b\x00\rDESCRIPTION:evil",
        guests=[("Grace\rGuest\x1b", "grace@partner.example.com")],
    )
    data = workshop_ics(workshop)
    assert b"\r" not in data.replace(b"\r\n", b"")  # every CR ends a line
    assert not any(byte < 0x20 and byte not in (0x0D, 0x0A) for byte in data)
    event = event_of(workshop)
    assert [str(a) for a in attendees(event)] == ["mailto:grace@partner.example.com"]
    assert str(event["SUMMARY"]).startswith("Cutover")
    assert "DESCRIPTION:evil" not in data.decode().split("\r\n")


# --- Guests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["pat@partner", "pat@@partner.example.com", "pat@x y.com"])
def test_a_guest_address_that_is_not_an_address_is_a_line_error(
    client_for, review, members, address
):
    response = client_for(members[F]).post(
        create_url(review),
        {
            "title": "W",
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": 90,
            "guests": f"Sam Sponsor\nPat Partner <{address}>",
        },
    )
    assert response.status_code == 200
    assert "Line 2:" in response.text
    assert "is not an e-mail address" in response.text
    assert not Workshop.objects.exists()


def test_the_service_refuses_a_bad_guest_address_too(review, members):
    with pytest.raises(ValidationError) as refused:
        schedule(review, members, guests=[("Pat", "pat@evil.example>\r\nX:y")])
    assert "guests" in refused.value.message_dict


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00", "1970-01-01T09:00", "2101-01-01T09:00"])
def test_a_workshop_outside_2000_to_2100_is_refused_on_the_form(
    client_for, review, members, starts_at
):
    response = client_for(members[F]).post(
        create_url(review), {"title": "W", "starts_at": starts_at, "duration_minutes": 90}
    )
    assert response.status_code == 200
    assert "between the years 2000 and 2100" in response.text
    assert not Workshop.objects.exists()


def test_the_service_refuses_a_far_date_and_a_workshop_longer_than_a_day(review, members):
    far = timezone.make_aware(datetime.datetime(9999, 12, 31, 23, 0))
    with pytest.raises(ValidationError) as refused:
        schedule(review, members, starts_at=far)
    assert "starts_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        schedule(review, members, duration_minutes=24 * 60 + 1)
    assert "duration_minutes" in refused.value.message_dict
    assert schedule(review, members, duration_minutes=24 * 60).duration_minutes == 24 * 60


def test_an_old_year_9999_workshop_still_gets_its_invitation(client_for, review, members):
    """Rows saved before the check: the .ics answers instead of a server error."""
    workshop = Workshop.objects.create(
        review=review,
        title="Far away",
        starts_at=timezone.make_aware(datetime.datetime(9999, 12, 31, 23, 0)),
        duration_minutes=600,
        created_by=members[F],
    )
    url = reverse("reviews:workshop_ics", args=[review.project_id, review.pk, workshop.pk])
    response = client_for(members[F]).get(url)
    assert response.status_code == 200
    assert event_of(workshop).decoded("DTEND") >= event_of(workshop).decoded("DTSTART")


# --- What people typed: who wrote it, and no foreign links ----------------------------------


def test_the_invitation_says_who_scheduled_it(review, members):
    workshop = schedule(review, members)
    description = str(event_of(workshop)["DESCRIPTION"])
    assert f"Scheduled by {members[F]}" in description
    assert workshop.get_absolute_url() in description


def test_foreign_urls_in_typed_text_are_not_left_as_links(review, members):
    review.title = "Review — see https://evil.example/login"
    review.save()
    workshop = schedule(review, members, title="Log in at http://evil.example/x first")
    event = event_of(workshop)
    for text in (str(event["SUMMARY"]), str(event["DESCRIPTION"])):
        assert "http://evil.example" not in text
        assert "https://evil.example" not in text
    assert "evil[.]example" in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(workshop.get_absolute_url())
