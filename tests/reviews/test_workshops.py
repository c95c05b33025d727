import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ConflictError
from projects.models import Role
from reviews.models import Workshop, WorkshopAttendee
from reviews.services.items import review_item_update
from reviews.services.workshops import workshop_create, workshop_save_minutes
from tests.factories import make_review, make_template


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


@pytest.fixture
def workshop(review, members):
    return workshop_create(
        review=review,
        acting_user=members[Role.FACILITATOR],
        title="Go-live readiness workshop",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=90,
        location="Room 4, Building B",
        facilitator=members[Role.FACILITATOR],
        agenda=["area-1", "area-0"],
        invitees=[members[Role.APPROVER], members[Role.CONTRIBUTOR]],
        guests=[("Grace Guest", "grace@partner.example.com")],
    )


def url(review, name, *args):
    return reverse(f"reviews:{name}", args=[review.project_id, review.pk, *args])


def test_schedule_workshop_page(client_for, review, members):
    response = client_for(members[Role.FACILITATOR]).post(
        url(review, "workshop_create"),
        {
            "title": "Readiness workshop",
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": 90,
            "agenda": ["area-0"],
            "invitees": [members[Role.APPROVER].pk],
            "guests": "Pat Partner <pat@partner.example.com>\nSam Sponsor",
        },
        follow=True,
    )
    assert "Workshop scheduled." in response.text
    workshop = Workshop.objects.get()
    assert [a.name for a in workshop.attendees.all()] == [
        "Approver Person",
        "Pat Partner",
        "Sam Sponsor",
    ]
    assert workshop.agenda == ["area-0"]


def test_bad_guest_line_is_a_form_error(client_for, review, members):
    response = client_for(members[Role.FACILITATOR]).post(
        url(review, "workshop_create"),
        {
            "title": "W",
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": 90,
            "guests": "Pat <not-an-address>",
        },
    )
    assert response.status_code == 200
    assert "is not an e-mail address" in response.text
    assert not Workshop.objects.exists()


def test_ics_invitation_parses_back(client_for, workshop, members, review):
    response = client_for(members[Role.VIEWER]).get(url(review, "workshop_ics", workshop.pk))
    assert response["Content-Type"].startswith("text/calendar")
    assert ".ics" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Go-live readiness workshop"
    assert str(event["LOCATION"]) == "Room 4, Building B"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=90)
    attendees = [str(a) for a in event.get("ATTENDEE")]
    assert "mailto:grace@partner.example.com" in attendees
    assert "Agenda:\n1. Area 1\n2. Area 0" in str(event["DESCRIPTION"])


def test_attendance_is_taken(client_for, workshop, members, review):
    present = WorkshopAttendee.objects.get(workshop=workshop, user=members[Role.APPROVER])
    client_for(members[Role.FACILITATOR]).post(
        url(review, "workshop_attendance", workshop.pk), {"attended": [present.pk]}
    )
    assert list(workshop.attendees.values_list("attended", flat=True)) == [True, False, False]


def test_minutes_saved_and_stale_minutes_refused(workshop, members):
    workshop = workshop_save_minutes(
        workshop=workshop, acting_user=members[Role.FACILITATOR], minutes="Agreed dates.", version=1
    )
    with pytest.raises(ConflictError):
        workshop_save_minutes(
            workshop=workshop, acting_user=members[Role.PROJECT_MANAGER], minutes="x", version=1
        )
    workshop.refresh_from_db()
    assert (workshop.minutes, workshop.minutes_version) == ("Agreed dates.", 2)


def test_minutes_saved_in_place_from_workshop_mode(client_for, workshop, members, review):
    response = client_for(members[Role.FACILITATOR]).post(
        url(review, "workshop_minutes", workshop.pk),
        {"minutes": "Cutover rehearsal moved.", "minutes_version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Minutes saved." in response.text
    assert 'id="minutes"' in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_minutes_save_keeps_my_text_beside_theirs(
    client_for, workshop, members, review, htmx
):
    workshop_save_minutes(
        workshop=workshop, acting_user=members[Role.PROJECT_MANAGER], minutes="Theirs.", version=1
    )
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_for(members[Role.FACILITATOR]).post(
        url(review, "workshop_minutes", workshop.pk),
        {"minutes": "Mine, typed for ten minutes.", "minutes_version": 1},
        headers=headers,
    )
    assert response.status_code == 409
    page = response.text
    assert "changed the minutes while you were editing them" in page
    assert "Mine, typed for ten minutes." in page  # nothing I typed is lost
    assert "Theirs." in page  # and I see what they saved
    assert 'name="minutes_version" value="2"' in page  # saving again is a knowing overwrite
    workshop.refresh_from_db()
    assert workshop.minutes == "Theirs."


# --- Workshop mode ------------------------------------------------------------------------


def test_workshop_mode_shows_one_item_with_prompts(client_for, review, members, workshop):
    response = client_for(members[Role.FACILITATOR]).get(url(review, "workshop_mode"))
    text = response.text
    assert "Item 1 of 6" in text
    assert "0 of 6 answered" in text
    assert "Question 0?" in text
    assert "Red flag 0" in text
    assert "Minutes of Go-live readiness workshop" in text
    assert "set the status" in text  # the keyboard legend


def mode_save(client, review, item, **data):
    payload = {
        "version": item.version,
        "status": item.status,
        "response": "",
        "owner": "",
        "due_date": "",
    }
    if item.is_blocker:
        payload["is_blocker"] = "on"
    payload.update(data)
    return client.post(url(review, "workshop_mode_save", item.pk), payload, HTTP_HX_REQUEST="true")


def test_workshop_mode_save_in_place_survives_reload(client_for, review, members):
    client = client_for(members[Role.FACILITATOR])
    item = review.items.get(key="item-0-0")
    response = mode_save(
        client,
        review,
        item,
        status="done",
        response="Signed UAT report",
        owner=members[Role.CONTRIBUTOR].pk,
    )
    assert response.status_code == 200
    assert "Saved." in response.text
    assert "<html" not in response.text
    assert "1 of 6 answered" in response.text
    reload = client.get(url(review, "workshop_mode"), {"item": item.pk})
    assert "Signed UAT report" in reload.text


def test_workshop_mode_refuses_stale_version(client_for, review, members):
    item = review.items.get(key="item-0-1")
    review_item_update(
        item=item, acting_user=members[Role.PROJECT_MANAGER], version=1, response="From the PM"
    )
    response = mode_save(
        client_for(members[Role.FACILITATOR]), review, item, response="From the room"
    )
    assert response.status_code == 409
    assert "changed this item while you were editing it" in response.text
    assert "From the PM" in response.text
    assert "From the room" in response.text
    item.refresh_from_db()
    assert item.response == "From the PM"


def test_moving_on_with_unsaved_edits_saves_them_then_shows_the_next_item(
    client_for, review, members
):
    first, second = review.items.order_by("section__order", "order")[:2]
    response = mode_save(
        client_for(members[Role.FACILITATOR]), review, first,
        response="Typed before moving on", go_to=str(second.pk),
    )  # fmt: skip
    assert response.status_code == 200
    assert f"“{first.title}” were saved before moving on" in response.text
    assert second.title in response.text
    assert response["HX-Push-Url"].endswith(f"?item={second.pk}")
    first.refresh_from_db()
    assert first.response == "Typed before moving on"


def test_moving_on_over_a_conflict_stays_on_the_item_and_keeps_the_text(
    client_for, review, members
):
    first, second = review.items.order_by("section__order", "order")[:2]
    review_item_update(
        item=first, acting_user=members[Role.PROJECT_MANAGER], version=1, response="From the PM"
    )
    response = mode_save(
        client_for(members[Role.FACILITATOR]), review, first,
        response="From the room", go_to=str(second.pk),
    )  # fmt: skip
    assert response.status_code == 409
    assert "From the room" in response.text
    assert "From the PM" in response.text
    assert "HX-Push-Url" not in response
    assert 'data-state="unsaved"' in response.text


def test_the_blocker_flag_is_set_from_workshop_mode_with_its_reason(client_for, review, members):
    item = review.items.get(key="item-0-1")
    client = client_for(members[Role.FACILITATOR])
    refused = mode_save(client, review, item, is_blocker="on")
    assert refused.status_code == 422
    assert "Say why the go-live blocker flag changes" in refused.text
    saved = mode_save(
        client, review, item, is_blocker="on", blocker_reason="Bank file format unknown"
    )
    assert saved.status_code == 200
    item.refresh_from_db()
    assert item.is_blocker is True


def test_viewers_see_no_editor_no_add_a_risk_and_no_minutes_box(
    client_for, review, members, workshop
):
    from reviews.services.workshops import workshop_save_minutes

    workshop_save_minutes(
        workshop=workshop, acting_user=members[Role.FACILITATOR], minutes="Agreed.", version=1
    )
    page = client_for(members[Role.VIEWER]).get(url(review, "workshop_mode")).text
    assert 'id="workshop-form"' not in page
    assert 'id="add-risk"' not in page
    assert 'id="minutes-text"' not in page
    assert "Agreed." in page  # the minutes are read, not edited
    facilitator = client_for(members[Role.FACILITATOR]).get(url(review, "workshop_mode")).text
    for control in ('id="workshop-form"', 'id="add-risk"', 'id="minutes-text"'):
        assert control in facilitator


def test_workshop_mode_check_tells_when_someone_else_saved(client_for, review, members):
    item = review.items.get(key="item-0-1")
    client = client_for(members[Role.FACILITATOR])
    check = url(review, "workshop_mode_check", item.pk)
    assert client.get(check, {"version": 1}).status_code == 204
    review_item_update(
        item=item, acting_user=members[Role.PROJECT_MANAGER], version=1, status="at_risk"
    )
    response = client.get(check, {"version": 1})
    assert response.status_code == 200
    assert "Project Manager Person" in response.text
    assert "changed this item" in response.text


@pytest.mark.parametrize("items", [20, 200])
def test_workshop_mode_query_budget(
    client_for, project, members, items, django_assert_max_num_queries
):
    review = make_review(project, template=make_template(sections=5, items_per_section=items // 5))
    client = client_for(members[Role.FACILITATOR])
    item = review.items.order_by("section__order", "order")[items // 2]
    with django_assert_max_num_queries(10):
        response = client.get(url(review, "workshop_mode"), {"item": item.pk})
    assert f"of {items}" in response.text
    with django_assert_max_num_queries(19):
        response = mode_save(client, review, item, status="in_progress", response="Working on it")
    assert response.status_code == 200
