"""The support pages for every role and an outsider; forms show bad input in the page."""

import pytest
from django.urls import reverse

from projects.models import Phase, Role
from support.models import HypercareCheckIn, SupportLine, SupportPlan
from tests.support.conftest import give_roles

pytestmark = pytest.mark.django_db

EDITORS = [Role.PROJECT_MANAGER, Role.FACILITATOR]
READERS = [Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER]


def url(name, project, *args):
    return reverse(f"support:{name}", args=[project.pk, *args])


def line_post(**fields):
    data = {"level": "l2", "team": "Application support", "handles": "Bugs",
            "weekly": "Mon-Fri 08:00-18:00", "exceptions": ""}  # fmt: skip
    data.update(fields)
    return data


@pytest.mark.parametrize("role", [*EDITORS, *READERS])
def test_every_member_reads_the_plan_coverage_and_hypercare(
    client_for, project, members, support_plan, role
):
    client = client_for(members[role])
    plan_page = client.get(url("plan", project))
    assert plan_page.status_code == 200
    assert "Team 0" in plan_page.text
    assert "Person 0" in plan_page.text
    assert ("Add a line" in plan_page.text) == (role in EDITORS)
    assert client.get(url("coverage", project)).status_code == 200
    hypercare = client.get(url("hypercare", project))
    assert hypercare.status_code == 200
    assert ("Start hypercare" in hypercare.text) == (role == Role.PROJECT_MANAGER)


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_edit(client_for, project, members, support_plan, role):
    client = client_for(members[role])
    line = support_plan.lines.first()
    assert client.get(url("line_add", project)).status_code == 403
    assert client.post(url("line_add", project), line_post()).status_code == 403
    assert client.get(url("line_edit", project, line.pk)).status_code == 403
    assert client.get(url("plan_settings", project)).status_code == 403
    assert client.post(url("criterion_add", project), {"text": "x"}).status_code == 403
    assert client.post(url("hypercare_start", project), {"confirm": "on"}).status_code == 403
    assert SupportLine.objects.filter(plan=support_plan).count() == 2


@pytest.mark.parametrize("role", EDITORS)
def test_editors_add_a_line_with_hours_and_exceptions(
    client_for, project, members, support_plan, role
):
    client = client_for(members[role])
    response = client.post(
        url("line_add", project),
        line_post(exceptions="2026-03-07 closed\n2026-03-08 10:00-14:00"),
    )
    assert response.status_code == 302
    line = SupportLine.objects.get(plan=support_plan, team="Application support")
    assert line.weekly_hours.count() == 5
    assert line.exceptions.count() == 2
    page = client.get(url("plan", project))
    assert "Mon-Fri 08:00-18:00" in page.text
    assert "Sat 7 Mar closed" in page.text


def test_bad_hours_are_shown_in_the_form(client_for, project, members, support_plan):
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url("line_add", project), line_post(weekly="Mon 25:00-26:00"))
    assert response.status_code == 400
    assert "25:00 is not a time of day" in response.text
    response = client.post(url("line_add", project), line_post(team="", exceptions="soon closed"))
    assert response.status_code == 400
    assert "start with the date" in response.text
    assert SupportLine.objects.filter(plan=support_plan).count() == 2


def test_the_support_lead_edits_and_the_approver_signs(
    client_for, project, members, support_plan, support_lead
):
    response = client_for(support_lead).post(url("line_add", project), line_post())
    assert response.status_code == 302
    support_plan.refresh_from_db()
    approver = client_for(members[Role.APPROVER])
    page = approver.get(url("plan", project))
    assert "Record my sign-off" in page.text
    response = approver.post(
        url("sign_off", project), {"decision": "approve", "version": support_plan.version}
    )
    assert response.status_code == 302
    page = approver.get(url("plan", project))
    assert "Business owner: approved by Approver Person" in page.text


def test_a_stale_sign_off_is_shown_in_the_page(client_for, project, members, support_plan):
    response = client_for(members[Role.APPROVER]).post(
        url("sign_off", project), {"decision": "approve", "version": support_plan.version - 1}
    )
    assert response.status_code == 400
    assert "The plan changed since you opened it" in response.text


def test_a_viewer_with_a_named_role_still_does_not_sign(client_for, project, members, support_plan):
    give_roles(project, members[Role.VIEWER], ["business_owner"])
    response = client_for(members[Role.VIEWER]).post(
        url("sign_off", project), {"decision": "approve", "version": support_plan.version}
    )
    assert response.status_code == 403


def test_outsider_gets_404_everywhere(client_for, project, members, support_plan, outsider):
    plan = support_plan
    line = plan.lines.first()
    contact = line.contacts.first()
    level = plan.escalation.first()
    client = client_for(outsider)
    gets = [url("plan", project), url("coverage", project), url("hypercare", project),
            url("plan_settings", project), url("line_add", project),
            url("line_edit", project, line.pk), url("kt_add", project)]  # fmt: skip
    posts = [url("plan_create", project), url("sign_off", project),
             url("sign_off_revoke", project), url("line_delete", project, line.pk),
             url("contact_add", project, line.pk), url("contact_delete", project, contact.pk),
             url("escalation_add", project), url("escalation_delete", project, level.pk),
             url("hypercare_start", project), url("hypercare_close", project),
             url("criterion_add", project), url("check_in", project)]  # fmt: skip
    for address in gets:
        assert client.get(address).status_code == 404, address
    for address in posts:
        assert client.post(address, {"confirm": "on"}).status_code == 404, address
    assert SupportLine.objects.filter(plan=plan).count() == 2


def test_another_projects_line_is_404(client_for, project, members, support_plan, outsider):
    from tests.support.conftest import make_support_plan

    other_project = outsider.memberships.get().project
    other = make_support_plan(other_project, outsider, lines=1)
    client = client_for(members[Role.PROJECT_MANAGER])
    foreign = other.lines.first()
    assert client.get(url("line_edit", project, foreign.pk)).status_code == 404
    assert client.post(url("line_delete", project, foreign.pk)).status_code == 404
    assert SupportLine.objects.filter(pk=foreign.pk).exists()


def test_empty_state_offers_create_to_editors_only(client_for, project, members):
    page = client_for(members[Role.PROJECT_MANAGER]).get(url("plan", project))
    assert "No support plan yet" in page.text
    assert "Create the support plan" in page.text
    page = client_for(members[Role.VIEWER]).get(url("plan", project))
    assert "No support plan yet" in page.text
    assert "Create the support plan" not in page.text
    for name in ("hypercare", "coverage"):
        page = client_for(members[Role.VIEWER]).get(url(name, project))
        assert "No support plan yet" in page.text


def test_create_the_plan_and_bad_input(client_for, project, members):
    client = client_for(members[Role.FACILITATOR])
    response = client.post(
        url("plan_create", project),
        {"time_zone": "Europe/London", "hypercare_weeks": "0", "hypercare_hours": "Mon-Fri 8-6"},
    )
    assert response.status_code == 400
    assert "08:00-18:00" in response.text  # the hours' message
    assert not SupportPlan.objects.exists()
    response = client.post(
        url("plan_create", project),
        {"time_zone": "Europe/London", "hypercare_weeks": "4",
         "hypercare_hours": "Mon-Fri 08:00-18:00", "signoff_roles": ["support_lead"]},
    )  # fmt: skip
    assert response.status_code == 302
    assert SupportPlan.objects.get(project=project).hypercare_weeks == 4


def test_project_page_links_the_support_plan(client_for, project, members):
    page = client_for(members[Role.VIEWER]).get(reverse("project_detail", args=[project.pk]))
    assert url("plan", project) in page.text


def test_gaps_show_on_the_plan_and_the_calendar(client_for, project, members, support_plan):
    from tests.support.conftest import add_line

    add_line(support_plan, members[Role.PROJECT_MANAGER], level="l3", hours="Mon-Fri 09:00-17:00")
    client = client_for(members[Role.VIEWER])
    page = client.get(url("plan", project))
    assert "L3 has no cover Monday 08:00\u201309:00 during hypercare (4 times" in page.text
    calendar = client.get(url("coverage", project))
    assert "table-danger" in calendar.text
    assert "08:00\u201309:00" in calendar.text


def test_hypercare_journey_in_the_pages(client_for, project, members, support_plan):
    project.go_live_date = project.go_live_date.replace(year=project.go_live_date.year - 1)
    project.save()
    pm = client_for(members[Role.PROJECT_MANAGER])
    response = pm.post(url("hypercare_start", project), {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.text
    assert pm.post(url("hypercare_start", project), {"confirm": "on"}).status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE
    pm.post(url("criterion_add", project), {"text": "No open P1 for 5 days"})
    response = pm.post(url("hypercare_close", project), follow=True)
    assert "still open: “No open P1 for 5 days”" in response.text
    response = pm.post(
        url("check_in", project), {"date": "", "p1": "-1", "p2": "0", "p3": "0", "p4": "0"}
    )
    assert response.status_code == 400
    assert "This field is required" in response.text
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    data = {"date": today, "p1": "2", "p2": "1", "p3": "0", "p4": "0", "notes": "Slow invoices"}
    assert pm.post(url("check_in", project), data).status_code == 302
    response = pm.post(url("check_in", project), data)
    assert response.status_code == 400
    assert "already a check-in" in response.text
    assert HypercareCheckIn.objects.count() == 1
    criterion = support_plan.exit_criteria.get()
    pm.post(url("criterion_status", project, criterion.pk), {"status": "met"})
    response = pm.post(url("hypercare_close", project), follow=True)
    assert "operate phase" in response.text
    project.refresh_from_db()
    assert project.phase == Phase.OPERATE


def test_calendar_splits_a_gap_over_midnight_and_uses_the_plans_time_zone(
    client_for, project, members, support_plan
):
    """The cutover window opens Friday 18:00 London; the plan reads it in New York (13:00)."""
    import datetime

    from support import services
    from tests.factories import make_cutover_plan
    from tests.support.conftest import add_line

    pm = members[Role.PROJECT_MANAGER]
    version = make_cutover_plan(project, steps=1)
    support_plan.lines.all().delete()
    support_plan.refresh_from_db()
    services.support_plan_update(
        plan=support_plan, acting_user=pm, version=None, signoff_roles=["project_manager"],
        time_zone="America/New_York", hypercare_weeks=1, hypercare_hours=[],
    )  # fmt: skip
    friday = version.window_start.astimezone(datetime.UTC).date()
    saturday = friday + datetime.timedelta(days=1)
    sunday = saturday + datetime.timedelta(days=1)
    add_line(
        support_plan, pm, level="l2", hours="Mon-Sun 24h",
        exceptions=f"{saturday} 00:00-22:00\n{sunday} 03:00-24:00",
    )  # fmt: skip
    page = client_for(members[Role.VIEWER]).get(url("coverage", project))
    text = page.text
    assert "L2 has no cover Saturday 22:00\u2013Sunday 03:00 during cutover" in text
    assert "22:00\u201324:00" in text  # Saturday's part of the gap
    assert "00:00\u201303:00" in text  # Sunday's part
    opens = version.window_start.astimezone(datetime.UTC)
    assert (
        f"Fri {opens.day} {opens:%b} 13:00" in text or f"Fri {opens.day} {opens:%b} 14:00" in text
    )


def test_sessions_contacts_and_escalation_in_the_pages(client_for, project, members, support_plan):
    client = client_for(members[Role.FACILITATOR])
    response = client.post(url("kt_add", project), {"topic": "", "date": "2026-02-30"})
    assert response.status_code == 400
    assert "Enter a valid date" in response.text
    data = {"topic": "Month-end close", "date": "2026-03-02", "from_text": "Fabrikam",
            "to_members": [members[Role.CONTRIBUTOR].pk]}  # fmt: skip
    assert client.post(url("kt_add", project), data).status_code == 302
    session = support_plan.kt_sessions.get()
    page = client.get(url("plan", project))
    assert "0 of 1 done" in page.text
    assert "Contributor Person" in page.text
    data |= {"done": "on", "attended": "Service desk (4)"}
    assert client.post(url("kt_edit", project, session.pk), data).status_code == 302
    assert "1 of 1 done" in client.get(url("plan", project)).text

    line = support_plan.lines.first()
    response = client.post(url("contact_add", project, line.pk), {"name": "Vendor desk"})
    assert response.status_code == 400
    assert "Give an e-mail or a phone" in response.text
    response = client.post(url("escalation_add", project), {"target": "", "response_minutes": "0"})
    assert response.status_code == 400
    assert "This field is required" in response.text
    response = client.post(
        url("escalation_add", project), {"target": f"line-{line.pk}", "response_minutes": "45"}
    )
    assert response.status_code == 302
    assert "responds within 45 min" in client.get(url("plan", project)).text


def test_two_people_editing_a_session_do_not_overwrite_each_other(
    client_for, project, members, support_plan
):
    """The facilitator and the project manager open the same session; the second save is
    refused with a conflict that keeps what was typed; saving again is a knowing overwrite."""
    facilitator = client_for(members[Role.FACILITATOR])
    manager = client_for(members[Role.PROJECT_MANAGER])
    data = {"topic": "Month-end close", "date": "2026-03-02", "from_text": "Fabrikam"}
    facilitator.post(url("kt_add", project), data)
    session = support_plan.kt_sessions.get()
    edit = url("kt_edit", project, session.pk)
    assert 'name="version" value="1"' in manager.get(edit).text
    opened = data | {"version": "1"}
    assert (
        facilitator.post(edit, opened | {"done": "on", "attended": "Service desk (4)"}).status_code
        == 302
    )
    response = manager.post(edit, opened | {"attended": "Finance key users"})
    assert response.status_code == 409
    assert "Someone else changed this knowledge-transfer session" in response.text
    assert "Finance key users" in response.text  # what the manager typed is still there
    session.refresh_from_db()
    assert (session.attended, session.done, session.version) == ("Service desk (4)", True, 2)
    assert 'name="version" value="2"' in response.text
    again = manager.post(edit, data | {"version": "2", "done": "on", "attended": "Both teams"})
    assert again.status_code == 302
    session.refresh_from_db()
    assert (session.attended, session.version) == ("Both teams", 3)
