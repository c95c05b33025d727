"""The cutover pages for every role and for an outsider; forms show the services' refusals."""

import datetime

import pytest
from django.urls import reverse

from cutover.models import CutoverPlan, PlanSignOff, PlanVersion, Step
from projects.models import Role

pytestmark = pytest.mark.django_db

EDITORS = [Role.PROJECT_MANAGER]
NOT_EDITORS = [Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER]


def url(name, project, *args):
    return reverse(f"cutover:{name}", args=[project.pk, *args])


def step_post(**fields):
    data = {"title": "Switch interfaces", "category": "deployment", "duration_minutes": "45",
            "predecessors": "", "verification": "Test messages flow."}  # fmt: skip
    data.update(fields)
    return data


# --- Everyone in the project views; outsiders get a 404 -----------------------------------


@pytest.mark.parametrize("role", [*EDITORS, *NOT_EDITORS])
def test_every_member_views_the_plan(client_for, project, members, three_steps, role):
    response = client_for(members[role]).get(url("plan", project))
    assert response.status_code == 200
    assert "Load master data" in response.text
    assert "The plan fits with" in response.text


def test_outsider_gets_404_on_every_cutover_url(
    client_for, project, members, three_steps, outsider
):
    step = three_steps[0]
    client = client_for(outsider)
    gets = [url("plan", project), url("plan_settings", project), url("version", project, 1),
            url("history", project, 1), url("export", project, 1, "csv"),
            url("import", project), url("step_add", project), url("step_edit", project, step.pk)]  # fmt: skip
    posts = [url("plan_create", project), url("sign_off", project), url("sign_off_revoke", project),
             url("typical_steps", project), url("step_delete", project, step.pk),
             url("step_move", project, step.pk)]  # fmt: skip
    for address in gets:
        assert client.get(address).status_code == 404, address
    for address in posts:
        assert client.post(address, {"number": 1}).status_code == 404, address
    assert Step.objects.count() == 3


def test_step_of_another_project_is_404(client_for, project, members, three_steps, outsider):
    from tests.factories import MembershipFactory, StepFactory

    foreign = StepFactory()
    MembershipFactory(project=foreign.plan_version.plan.project, user=members[Role.PROJECT_MANAGER],
                      role=Role.VIEWER)  # fmt: skip
    client = client_for(members[Role.PROJECT_MANAGER])
    assert client.get(url("step_edit", project, foreign.pk)).status_code == 404


def test_plan_page_without_a_plan(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).get(url("plan", project))
    assert "Create the cutover plan" in response.text
    response = client_for(members[Role.VIEWER]).get(url("plan", project))
    assert "no cutover plan yet" in response.text
    assert "Create the cutover plan" not in response.text


# --- Who edits ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_members_who_do_not_edit_the_plan_are_refused(
    client_for, project, members, three_steps, role
):
    client = client_for(members[role])
    assert client.get(url("plan_settings", project)).status_code == 403
    assert client.get(url("step_add", project)).status_code == 403
    assert client.post(url("step_add", project), step_post()).status_code == 403
    assert client.post(url("typical_steps", project)).status_code == 403
    assert client.post(url("step_delete", project, three_steps[0].pk)).status_code == 403
    assert Step.objects.count() == 3
    page = client.get(url("plan", project)).text
    assert "Add a step" not in page


def test_pm_creates_the_plan_in_the_plan_time_zone(client_for, project, members):
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url("plan_create", project), {
        "window_start": "2026-03-06T18:00", "window_end": "2026-03-09T06:00",
        "time_zone": "America/New_York", "buffer_minutes": "90",
        "signoff_roles": ["project_manager", "business_owner"],
    })  # fmt: skip
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert version.window_start == datetime.datetime(2026, 3, 6, 23, 0, tzinfo=datetime.UTC)
    assert version.window_minutes == 59 * 60  # New York springs forward on 8 March 2026
    assert CutoverPlan.objects.get().signoff_roles == ["project_manager", "business_owner"]


def test_plan_create_form_shows_a_bad_window(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).post(url("plan_create", project), {
        "window_start": "2026-03-06T18:00", "window_end": "2026-03-06T08:00",
        "time_zone": "Europe/London", "buffer_minutes": "90", "signoff_roles": ["business_owner"],
    })  # fmt: skip
    assert response.status_code == 400
    assert "The window must close after it opens." in response.text
    assert not CutoverPlan.objects.exists()


def test_cutover_manager_adds_a_step(client_for, project, cutover_manager, three_steps):
    response = client_for(cutover_manager).post(
        url("step_add", project), step_post(predecessors="2, 3", owner=cutover_manager.pk)
    )
    assert response.status_code == 302
    step = Step.objects.get(number=4)
    assert sorted(step.predecessor_links.values_list("predecessor__number", flat=True)) == [2, 3]


def test_step_form_shows_the_cycle_it_would_make(client_for, project, members, three_steps):
    one = three_steps[0]
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        url("step_edit", project, one.pk),
        step_post(title="Freeze legacy", predecessors="3", version="1"),
    )
    assert response.status_code == 400
    assert "That would make a loop: Step 3 → 1 → 2 → 3." in response.text
    assert not Step.objects.get(pk=one.pk).predecessor_links.exists()


def test_step_form_refuses_words_for_step_numbers(client_for, project, members, three_steps):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        url("step_add", project), step_post(predecessors="two")
    )
    assert response.status_code == 400
    assert "is not a step number" in response.text


def test_step_owner_edits_instructions_of_their_step_only(
    client_for, project, members, three_steps
):
    client = client_for(members[Role.CONTRIBUTOR])
    _, two, three = three_steps
    page = client.get(url("step_edit", project, two.pk))
    assert page.status_code == 200
    assert "You own this step" in page.text
    assert 'name="duration_minutes"' not in page.text
    response = client.post(url("step_edit", project, two.pk), {
        "version": "1", "instructions": "Run package 7 first.", "verification": "Counts match.",
        "duration_minutes": "1",  # ignored: not the owner's to change
    })  # fmt: skip
    assert response.status_code == 302
    two.refresh_from_db()
    assert (two.instructions, two.duration_minutes) == ("Run package 7 first.", 120)
    assert client.get(url("step_edit", project, three.pk)).status_code == 403


def test_step_edit_conflict_says_who_changed_it(
    client_for, project, members, cutover_manager, three_steps
):
    from cutover.services import step_update

    one = three_steps[0]
    step_update(step=one, acting_user=cutover_manager, version=1, duration_minutes=90)
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        url("step_edit", project, one.pk), step_post(title="Freeze AX", version="1")
    )
    assert response.status_code == 409
    assert "Cutover Manager changed step 1" in response.text
    assert 'value="Freeze AX"' in response.text


def test_saving_a_signed_plan_says_it_made_a_new_version(
    client_for, project, members, three_steps, plan_version
):
    from cutover.services import plan_sign_off

    plan_sign_off(plan_version=plan_version, acting_user=members[Role.APPROVER], decision="approve")
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(
        url("step_edit", project, three_steps[2].pk), step_post(title="Validate", predecessors="2", version="1"),
        follow=True,
    )  # fmt: skip
    assert "this is version 2; it needs signing again" in response.text
    old = client.get(url("version", project, 1))
    assert "kept as it was when a newer version replaced it" in old.text
    assert "Add a step" not in old.text


def test_fit_sentence_changes_when_a_step_grows_past_the_window(
    client_for, project, members, three_steps
):
    client = client_for(members[Role.PROJECT_MANAGER])
    assert "The plan fits with 56 h 30 min to spare" in client.get(url("plan", project)).text
    client.post(url("step_edit", project, three_steps[1].pk),
                step_post(title="Load master data", predecessors="1", duration_minutes="3600", version="1"))  # fmt: skip
    assert "The plan overruns by 1 h 30 min" in client.get(url("plan", project)).text


def test_typical_steps_from_the_empty_plan(client_for, project, members, plan_version):
    client = client_for(members[Role.PROJECT_MANAGER])
    assert "Start from the typical 28 steps" in client.get(url("plan", project)).text
    response = client.post(url("typical_steps", project), follow=True)
    assert "The typical 28 steps are in" in response.text
    assert plan_version.steps.count() == 28


def test_step_move_and_delete(client_for, project, members, three_steps):
    client = client_for(members[Role.PROJECT_MANAGER])
    client.post(url("step_move", project, three_steps[2].pk), {"number": "1"})
    assert Step.objects.get(pk=three_steps[2].pk).number == 1
    client.post(url("step_delete", project, three_steps[0].pk))
    assert Step.objects.count() == 2


# --- Sign-off from the page ------------------------------------------------------------------


def test_approver_signs_the_plan_from_the_page(
    client_for, project, members, three_steps, plan_version
):
    client = client_for(members[Role.APPROVER])
    page = client.get(url("plan", project)).text
    assert "Record my sign-off" in page
    response = client.post(
        url("sign_off", project),
        {"decision": "approve", "version": "4", "as_role": "business_owner"},
    )
    assert response.status_code == 302
    assert PlanSignOff.objects.get().signer == members[Role.APPROVER]
    assert "Business owner: approved by Approver Person" in client.get(url("plan", project)).text


def test_rejection_without_a_reason_is_shown_on_the_page(client_for, project, members, three_steps):
    response = client_for(members[Role.APPROVER]).post(
        url("sign_off", project), {"decision": "reject", "version": "4", "comment": ""}
    )
    assert response.status_code == 400
    assert "Say why you reject the plan" in response.text
    assert not PlanSignOff.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.FACILITATOR])
def test_members_without_a_named_role_cannot_sign(client_for, project, members, three_steps, role):
    client = client_for(members[role])
    assert "Record my sign-off" not in client.get(url("plan", project)).text
    response = client.post(url("sign_off", project), {"decision": "approve", "version": "4"})
    assert response.status_code == 403
    assert not PlanSignOff.objects.exists()


def test_awaited_role_nobody_holds_is_named(
    client_for, project, members, three_steps, plan_version
):
    from cutover.services import plan_set_signoff_roles

    plan_set_signoff_roles(plan=plan_version.plan, acting_user=members[Role.PROJECT_MANAGER],
                           signoff_roles=["business_owner", "security_lead"])  # fmt: skip
    page = client_for(members[Role.PROJECT_MANAGER]).get(url("plan", project)).text
    assert "Nobody in the project holds Security lead" in page


def test_signing_names_the_role_as_written(client_for, project, members, three_steps):
    from tests.cutover.conftest import give_roles

    give_roles(project, members[Role.APPROVER], ["it_lead"])
    from cutover.services import plan_set_signoff_roles

    plan_set_signoff_roles(plan=CutoverPlan.objects.get(), acting_user=members[Role.PROJECT_MANAGER],
                           signoff_roles=["it_lead"])  # fmt: skip
    client = client_for(members[Role.APPROVER])
    response = client.post(
        url("sign_off", project), {"decision": "approve", "version": "4"}, follow=True
    )
    assert "You approved version 1 as IT lead." in response.text
