"""Planned rehearsals and their calendar invitations (issue 16 §5): the step owners, their
backups and the cutover people get a REQUEST; a re-plan is an update with the same UID and
a higher SEQUENCE; a cancellation is METHOD:CANCEL; each person gets each sequence once."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import dateformat

from cutover.models import PlannedRehearsal, RehearsalInvitation, Step
from cutover.services.rehearsals import (
    rehearsal_cancel,
    rehearsal_invitations_send,
    rehearsal_plan,
    rehearsal_replan,
)
from cutover.services.steps import step_update
from cutover.tasks import cutover_rehearsal_invitations_send_task
from projects.models import Role
from tests.factories import (
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    days_ahead,
    form_datetime,
)

PM, C, A, V = Role.PROJECT_MANAGER, Role.CONTRIBUTOR, Role.APPROVER, Role.VIEWER
LONDON = zoneinfo.ZoneInfo("Europe/London")
STARTS = days_ahead(34, 9, LONDON)  # ahead whenever the tests run


@pytest.fixture
def owners(three_steps, members):
    """Step 2 is the contributor's (as in three_steps); step 1 is the approver's, backed up
    by the viewer."""
    one, _two, _three = three_steps
    Step.objects.filter(pk=one.pk).update(owner=members[A], backup_owner=members[V])
    return three_steps


@pytest.fixture
def plan(plan_version):
    return plan_version.plan


@pytest.fixture
def book(plan, members, django_capture_on_commit_callbacks):
    def book(**fields):
        values = {"plan": plan, "acting_user": members[PM], "starts_at": STARTS,
                  "duration_minutes": 240, "location": "War room"}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            return rehearsal_plan(**(values | fields))

    return book


def event_of(message):
    part, mimetype = next(a for a in message.alternatives if a[1].startswith("text/calendar"))
    calendar = icalendar.Calendar.from_ical(part)
    assert mimetype == f"text/calendar; method={calendar['METHOD']}"
    assert any(name == "invite.ics" for name, *_ in message.attachments)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def attendees(event):
    found = event.get("ATTENDEE", [])
    return sorted(
        str(a).removeprefix("mailto:") for a in (found if isinstance(found, list) else [found])
    )


def last_to(email):
    return [message for message in mail.outbox if message.to == [email]][-1]


def test_planning_invites_owners_backups_and_the_cutover_manager(
    book, owners, members, cutover_manager
):
    rehearsal = book()
    expected = sorted([members[A].email, members[V].email, members[C].email, cutover_manager.email])
    assert sorted(m.to[0] for m in mail.outbox) == expected
    method, event = event_of(last_to(cutover_manager.email))
    assert method == "REQUEST"
    assert str(event["UID"]) == f"cutover-rehearsal-{rehearsal.pk}@readiness"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == STARTS.astimezone(datetime.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(hours=4)
    assert str(event["LOCATION"]) == "War room"
    assert str(event["ORGANIZER"]) == f"mailto:{members[PM].email}"
    assert attendees(event) == expected
    assert "Cutover rehearsal: " in last_to(members[V].email).body
    assert "09:00" in last_to(members[V].email).body  # in the plan's time zone


def test_without_a_cutover_manager_the_project_manager_is_invited(book, owners, members):
    book()
    assert members[PM].email in [m.to[0] for m in mail.outbox]


def test_the_task_run_twice_sends_once(book, owners):
    rehearsal = book()
    sent = len(mail.outbox)
    cutover_rehearsal_invitations_send_task.delay(rehearsal.pk)
    cutover_rehearsal_invitations_send_task(rehearsal.pk)
    assert len(mail.outbox) == sent
    assert RehearsalInvitation.objects.filter(rehearsal=rehearsal).count() == sent


@pytest.fixture
def newcomer(project, book):
    user = UserFactory(full_name="New Owner")
    MembershipFactory(project=project, user=user, role=C)
    return user


def test_a_step_s_new_backup_alone_is_invited(
    book, owners, members, newcomer, django_capture_on_commit_callbacks
):
    book()
    two = Step.objects.get(pk=owners[1].pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step_update(step=two, acting_user=members[PM], version=two.version, backup_owner=newcomer)
    assert [m.to[0] for m in mail.outbox] == [newcomer.email]
    method, event = event_of(last_to(newcomer.email))
    assert (method, event["SEQUENCE"]) == ("REQUEST", 0)  # the others' copies stay current


def test_a_replaced_owner_is_uninvited_and_the_others_get_the_new_list(
    book, owners, members, newcomer, cutover_manager, django_capture_on_commit_callbacks
):
    book()
    one = Step.objects.get(pk=owners[0].pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step_update(step=one, acting_user=members[PM], version=one.version, owner=newcomer)
    method, event = event_of(last_to(members[A].email))
    assert (method, event["SEQUENCE"]) == ("CANCEL", 1)
    method, event = event_of(last_to(newcomer.email))
    assert (method, event["SEQUENCE"]) == ("REQUEST", 1)
    expected = sorted([newcomer.email, members[V].email, members[C].email, cutover_manager.email])
    assert attendees(event) == expected
    assert sorted(m.to[0] for m in mail.outbox) == sorted([*expected, members[A].email])


def test_a_step_change_that_keeps_its_owners_mails_nobody(
    book, owners, members, django_capture_on_commit_callbacks
):
    book()
    one = Step.objects.get(pk=owners[0].pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step_update(step=one, acting_user=members[PM], version=one.version, title="Freeze AX")
    assert mail.outbox == []


def test_a_re_plan_keeps_the_uid_and_raises_the_sequence(
    book, owners, members, django_capture_on_commit_callbacks
):
    rehearsal = book()
    _, first = event_of(last_to(members[C].email))
    mail.outbox.clear()
    later = STARTS + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        rehearsal = rehearsal_replan(
            rehearsal=rehearsal, acting_user=members[PM], starts_at=later,
            duration_minutes=240, location="War room",
        )  # fmt: skip
    method, event = event_of(last_to(members[C].email))
    assert method == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == later.astimezone(datetime.UTC)
    assert "Updated invitation" in last_to(members[C].email).subject


def test_a_re_plan_that_changes_nothing_sends_nothing(
    book, owners, members, django_capture_on_commit_callbacks
):
    rehearsal = book()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rehearsal = rehearsal_replan(
            rehearsal=rehearsal, acting_user=members[PM], starts_at=STARTS,
            duration_minutes=240, location="War room",
        )  # fmt: skip
    assert rehearsal.sequence == 0
    assert mail.outbox == []


def test_an_owner_taken_off_gets_a_cancel_with_the_re_plan(
    book, owners, members, django_capture_on_commit_callbacks
):
    rehearsal = book()
    one = owners[0]
    Step.objects.filter(pk=one.pk).update(backup_owner=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rehearsal_replan(
            rehearsal=rehearsal, acting_user=members[PM], starts_at=STARTS,
            duration_minutes=300, location="War room",
        )  # fmt: skip
    method, event = event_of(last_to(members[V].email))
    assert method == "CANCEL"
    assert attendees(event) == [members[V].email]
    assert event["SEQUENCE"] == 1


def test_a_cancellation_is_method_cancel_with_status_cancelled(
    book, owners, members, django_capture_on_commit_callbacks
):
    rehearsal = book()
    invited = len(mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rehearsal = rehearsal_cancel(rehearsal=rehearsal, acting_user=members[PM])
    assert rehearsal.is_cancelled
    assert len(mail.outbox) == invited
    for message in mail.outbox:
        method, event = event_of(message)
        assert method == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == rehearsal.calendar_uid
        assert event["SEQUENCE"] == 1
    rehearsal_invitations_send(rehearsal_id=rehearsal.pk)
    assert len(mail.outbox) == invited
    with pytest.raises(ValidationError):
        rehearsal_cancel(rehearsal=rehearsal, acting_user=members[PM])


def test_only_the_cutover_runners_plan_rehearsals(plan, members):
    with pytest.raises(PermissionDenied):
        rehearsal_plan(plan=plan, acting_user=members[C], starts_at=STARTS, duration_minutes=60)
    with pytest.raises(ValidationError) as refused:
        rehearsal_plan(
            plan=plan, acting_user=members[PM], starts_at=STARTS.replace(year=9999),
            duration_minutes=60,
        )  # fmt: skip
    assert "starts_at" in refused.value.message_dict


# --- Pages ----------------------------------------------------------------------------------


def runs_url(project):
    return reverse("cutover:runs", args=[project.pk])


def test_the_runs_page_plans_a_rehearsal_in_the_plan_s_time_zone(
    client_for, project, owners, members, django_capture_on_commit_callbacks
):
    client = client_for(members[PM])
    page = client.get(runs_url(project)).text
    assert "No rehearsal planned." in page
    assert "Plan a rehearsal" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cutover:rehearsal_plan", args=[project.pk]),
            {"starts_at": form_datetime(STARTS), "duration_minutes": 240, "location": "Bridge"},
            follow=True,
        )
    assert "Rehearsal planned." in response.text
    rehearsal = PlannedRehearsal.objects.get()
    assert rehearsal.starts_at == STARTS
    assert dateformat.format(STARTS, "D j M Y H:i") in response.text
    assert len(mail.outbox) == 4
    assert "invitation e-mailed to 4 people" in client.get(runs_url(project)).text


def test_a_bad_plan_form_shows_the_errors_on_the_runs_page(client_for, project, owners, members):
    response = client_for(members[PM]).post(
        reverse("cutover:rehearsal_plan", args=[project.pk]),
        {"starts_at": form_datetime(STARTS), "duration_minutes": 5},
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 15" in response.text
    assert not PlannedRehearsal.objects.exists()


def test_re_plan_and_cancel_on_the_pages(
    client_for, project, book, owners, members, django_capture_on_commit_callbacks
):
    rehearsal = book()
    client = client_for(members[PM])
    edit = reverse("cutover:rehearsal_edit", args=[project.pk, rehearsal.pk])
    assert f'value="{form_datetime(STARTS)}"' in client.get(edit).text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit, {"starts_at": form_datetime(STARTS + datetime.timedelta(days=1, hours=1)),
                   "duration_minutes": 240,
                   "location": "War room"}, follow=True,
        )  # fmt: skip
    assert "Rehearsal re-planned." in response.text
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cutover:rehearsal_cancel", args=[project.pk, rehearsal.pk]), follow=True
        )
    assert "Rehearsal cancelled." in response.text
    assert "Cancelled" in response.text
    rehearsal.refresh_from_db()
    assert (rehearsal.sequence, rehearsal.is_cancelled) == (2, True)


@pytest.mark.parametrize("role", [C, V, A])
def test_other_roles_cannot_plan_re_plan_or_cancel(
    client_for, project, book, owners, members, role
):
    rehearsal = book()
    client = client_for(members[role])
    assert "Plan a rehearsal" not in client.get(runs_url(project)).text
    form = {
        "starts_at": form_datetime(STARTS + datetime.timedelta(days=1, hours=1)),
        "duration_minutes": 60,
    }
    assert (
        client.post(reverse("cutover:rehearsal_plan", args=[project.pk]), form).status_code == 403
    )
    edit = reverse("cutover:rehearsal_edit", args=[project.pk, rehearsal.pk])
    response = client.post(edit, form)
    assert response.status_code == 403
    assert "Only the project manager and the cutover manager plan rehearsals." in response.text
    cancel = reverse("cutover:rehearsal_cancel", args=[project.pk, rehearsal.pk])
    assert client.post(cancel).status_code == 403
    rehearsal.refresh_from_db()
    assert (rehearsal.sequence, rehearsal.is_cancelled) == (0, False)


def test_another_project_s_rehearsal_is_a_404(client_for, project, book, owners):
    rehearsal = book()
    stranger = UserFactory()
    other = ProjectFactory()
    MembershipFactory(project=other, user=stranger, role=Role.PROJECT_MANAGER)
    client = client_for(stranger)
    # Through the stranger's own project's URL, and through ours (not a member): 404 both.
    for project_pk in (other.pk, project.pk):
        for name in ("rehearsal_edit", "rehearsal_ics"):
            url = reverse(f"cutover:{name}", args=[project_pk, rehearsal.pk])
            assert client.get(url).status_code == 404
        cancel = reverse("cutover:rehearsal_cancel", args=[project_pk, rehearsal.pk])
        assert client.post(cancel).status_code == 404
    rehearsal.refresh_from_db()
    assert not rehearsal.is_cancelled


def test_the_download_has_the_same_uid_and_sequence(client_for, project, book, owners, members):
    rehearsal = book()
    response = client_for(members[V]).get(
        reverse("cutover:rehearsal_ics", args=[project.pk, rehearsal.pk])
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == rehearsal.calendar_uid
    assert event["SEQUENCE"] == 0


@pytest.mark.parametrize("size", [1, 12])
def test_runs_page_query_count_is_flat(
    client_for, project, book, owners, members, django_assert_max_num_queries, size
):
    for day in range(size):
        book(starts_at=STARTS + datetime.timedelta(days=day))
    client = client_for(members[PM])
    with django_assert_max_num_queries(9):  # 9 at both sizes
        response = client.get(runs_url(project))
    assert response.status_code == 200
    assert response.text.count("Re-plan</a>") == size
