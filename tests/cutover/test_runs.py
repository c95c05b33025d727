"""Rehearsals: starting one, marking steps (one click, the version rule), corrections with
history, findings from a step, finishing, the report, the gate's selectors, and who may do
what (every role and an outsider)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cutover import run_selectors
from cutover.models import CutoverRun, StepEvent, StepFinding
from cutover.services import plan_sign_off
from cutover.services.runs import (
    StaleMark,
    run_abandon,
    run_finish,
    run_start,
    step_correct,
    step_record,
)
from cutover.summary import cutover_criteria
from projects.models import Role
from risks.models import Risk

pytestmark = pytest.mark.django_db

ALL_ROLES = [Role.PROJECT_MANAGER, Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER]


def url(name, project, *args):
    return reverse(f"cutover:{name}", args=[project.pk, *args])


# One "now" for the module: the times the tests record are exact minutes apart.
NOW = timezone.now().replace(second=0, microsecond=0)


def ago(minutes):
    return NOW - datetime.timedelta(minutes=minutes)


@pytest.fixture
def pm(members):
    return members[Role.PROJECT_MANAGER]


@pytest.fixture
def rehearsal(plan_version, three_steps, pm):
    return run_start(plan=plan_version.plan, acting_user=pm, started_at=ago(290))


def mark(run, step, user, kind, minutes_ago, **extra):
    return step_record(
        run=run, step=step, acting_user=user, kind=kind, at=ago(minutes_ago), **extra
    )


# --- Starting ----------------------------------------------------------------------------


def test_run_start_numbers_rehearsals_and_refuses_a_second_running(plan_version, three_steps, pm):
    first = run_start(plan=plan_version.plan, acting_user=pm)
    assert (first.number, first.kind, first.status) == (1, "rehearsal", "running")
    assert first.plan_version == plan_version
    with pytest.raises(ValidationError, match="Rehearsal 1 is still running"):
        run_start(plan=plan_version.plan, acting_user=pm)
    run_finish(run=first, acting_user=pm)
    assert run_start(plan=plan_version.plan, acting_user=pm).number == 2


def test_run_start_refuses_a_plan_without_steps(plan_version, pm):
    with pytest.raises(ValidationError, match="no steps"):
        run_start(plan=plan_version.plan, acting_user=pm)


def test_a_rehearsal_freezes_the_version(rehearsal, plan_version, three_steps, pm):
    from cutover.services import step_update

    step = three_steps[0]
    saved = step_update(step=step, acting_user=pm, version=step.version, title="Freeze AX")
    assert saved.plan_version.number == 2
    assert rehearsal.plan_version.steps.get(number=1).title == "Freeze legacy"


# --- Marking -----------------------------------------------------------------------------


def test_step_record_follows_the_step_through_its_marks(rehearsal, three_steps, pm):
    one, two, _ = three_steps
    mark(rehearsal, one, pm, "started", 300)
    with pytest.raises(ValidationError, match="Step 1 is running: it cannot be marked started"):
        mark(rehearsal, one, pm, "started", 299)
    with pytest.raises(ValidationError, match="waits for its predecessors"):
        mark(rehearsal, two, pm, "started", 299)
    mark(rehearsal, one, pm, "done", 200, note="Took longer: the export job was slow")
    mark(rehearsal, two, pm, "started", 200)
    assert StepEvent.objects.filter(run=rehearsal).count() == 3
    assert StepEvent.objects.get(step=one, kind="done").note.startswith("Took longer")


def test_step_record_refuses_an_end_before_the_start(rehearsal, three_steps, pm):
    mark(rehearsal, three_steps[0], pm, "started", 100)
    with pytest.raises(ValidationError, match="cannot end before it started"):
        mark(rehearsal, three_steps[0], pm, "done", 120)


def test_step_record_a_mark_on_an_older_row_is_refused_not_doubled(rehearsal, three_steps, pm):
    """Two people click "start" on the same row: the second is told, nothing is doubled."""
    one = three_steps[0]
    started = mark(rehearsal, one, pm, "started", 10, seen=0)
    with pytest.raises(StaleMark, match=r"marked step 1 started at \d\d:\d\d while you were"):
        mark(rehearsal, one, pm, "started", 9, seen=0)
    with pytest.raises(StaleMark):
        mark(rehearsal, one, pm, "done", 9, seen=0)
    mark(rehearsal, one, pm, "done", 5, seen=started.pk)
    assert StepEvent.objects.filter(step=one).count() == 2


def test_step_record_refuses_the_future_and_a_finished_run(rehearsal, three_steps, pm):
    with pytest.raises(ValidationError, match="in the future"):
        mark(rehearsal, three_steps[0], pm, "started", -30)
    run_finish(run=rehearsal, acting_user=pm)
    with pytest.raises(ValidationError, match="Rehearsal 1 is finished"):
        mark(rehearsal, three_steps[0], pm, "started", 1)


# --- Corrections with history ------------------------------------------------------------


def test_step_correct_keeps_the_original_and_the_latest_correction_wins(
    client_for, project, rehearsal, three_steps, pm
):
    one = three_steps[0]
    started = mark(rehearsal, one, pm, "started", 120)
    mark(rehearsal, one, pm, "done", 30)
    step_correct(event=started, acting_user=pm, at=ago(110), note="Pressed start late")
    fix = step_correct(event=started, acting_user=pm, at=ago(100), note="The log says 10 later")
    assert fix.corrects == started
    assert StepEvent.objects.filter(step=one).count() == 4  # nothing rewritten
    started.refresh_from_db()
    assert started.at == pytest.approx(ago(120), abs=datetime.timedelta(seconds=5))
    page = client_for(pm).get(url("run", project, rehearsal.pk)).text
    assert "Pressed start late" in page
    assert "The log says 10 later" in page
    assert "drift +10 min" in page  # 70 minutes from the latest correction, 60 planned


def test_step_correct_needs_a_reason_and_a_sensible_time(rehearsal, three_steps, pm):
    one = three_steps[0]
    started = mark(rehearsal, one, pm, "started", 120)
    done = mark(rehearsal, one, pm, "done", 60)
    with pytest.raises(ValidationError, match="Say why"):
        step_correct(event=started, acting_user=pm, at=ago(130), note=" ")
    with pytest.raises(ValidationError, match="after the step's next mark"):
        step_correct(event=started, acting_user=pm, at=ago(50), note="typo")
    with pytest.raises(ValidationError, match="before the step's previous mark"):
        step_correct(event=done, acting_user=pm, at=ago(130), note="typo")


def test_correction_page_posts_a_time_in_the_plan_zone(
    client_for, project, rehearsal, three_steps, pm
):
    started = mark(rehearsal, three_steps[0], pm, "started", 60)
    client = client_for(pm)
    address = url("event_correct", project, rehearsal.pk, started.pk)
    assert "correct the started time" in client.get(address).text
    new_time = ago(75).astimezone(rehearsal.plan_version.tz).strftime("%Y-%m-%dT%H:%M")
    response = client.post(address, {"at": new_time, "note": "Started before the call"})
    assert response.status_code == 302
    fix = StepEvent.objects.get(kind="corrected")
    assert fix.corrects == started
    assert fix.note == "Started before the call"
    refused = client.post(address, {"at": new_time, "note": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.text


# --- The run sheet: one click, htmx and plain POST ----------------------------------------


def test_mark_with_htmx_swaps_the_row_and_the_successor(
    client_for, project, rehearsal, three_steps, pm
):
    one, _two, _ = three_steps
    client = client_for(pm)
    address = url("step_mark", project, rehearsal.pk, one.pk)
    response = client.post(address, {"kind": "started", "seen": 0}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="step-1"' in response.text
    assert "Running" in response.text
    started = StepEvent.objects.get()
    response = client.post(
        address, {"kind": "done", "seen": started.pk, "note": "ok"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="step-2" ' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "Ready" in response.text  # step 2 may start now
    again = client.post(address, {"kind": "done", "seen": started.pk}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    assert "while you were looking; nothing was recorded" in again.text
    assert StepEvent.objects.count() == 2


def test_mark_without_javascript_redirects_with_the_message(
    client_for, project, rehearsal, three_steps, pm
):
    client = client_for(pm)
    address = url("step_mark", project, rehearsal.pk, three_steps[1].pk)
    response = client.post(address, {"kind": "started"}, follow=True)
    assert "waits for its predecessors" in response.text
    assert not StepEvent.objects.exists()
    response = client.post(
        url("step_mark", project, rehearsal.pk, three_steps[0].pk), {"kind": "started"}
    )
    assert response.status_code == 302
    assert response.url.endswith("#step-1")
    assert StepEvent.objects.count() == 1
    bad = client.post(address, {"kind": "exploded"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422


def test_run_sheet_shows_late_steps_and_the_expected_finish(
    client_for, project, rehearsal, three_steps, pm
):
    mark(rehearsal, three_steps[0], pm, "started", 290)  # 60 planned, running for 290
    page = client_for(pm).get(url("run", project, rehearsal.pk)).text
    assert "1</strong> late" in page
    assert "Expected finish" in page
    assert 'data-key="d"' in page
    assert "Keys:" in page


# --- Findings ----------------------------------------------------------------------------


def test_a_finding_from_a_step_enters_the_register_linked_both_ways(
    client_for, project, rehearsal, three_steps, pm, members
):
    two = three_steps[1]
    contributor = members[Role.CONTRIBUTOR]
    client = client_for(contributor)  # the owner of step 2
    address = url("step_finding", project, rehearsal.pk, two.pk)
    assert client.get(address).status_code == 200
    response = client.post(address, {
        "title": "Customer load rejects 4% of addresses", "type": "issue", "likelihood": 4,
        "impact": 4, "action_description": "Clean the addresses in AX before the next rehearsal",
        "owner": contributor.pk, "due_date": "",
    })  # fmt: skip
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.category == "cutover"
    assert risk.type == "issue"
    assert "Found at cutover step 2 “Load master data”, rehearsal 1." in risk.description
    assert risk.actions.get().owner == contributor
    assert StepFinding.objects.get().step == two
    page = client.get(url("run", project, rehearsal.pk)).text
    assert f"{risk.reference} Customer load rejects" in page
    refused = client.post(address, {"title": "x", "type": "issue"})
    assert refused.status_code == 400
    assert "Rate the likelihood" in refused.text


# --- Finishing, the report, the gate -------------------------------------------------------


def finish_in(run, steps, user, minutes):
    """Run the three steps back to back, the second taking ``minutes``."""
    one, two, three = steps
    mark(run, one, user, "started", 290)
    mark(run, one, user, "done", 230)
    mark(run, two, user, "started", 230)
    mark(run, two, user, "done", 230 - minutes)
    mark(run, three, user, "started", 230 - minutes)
    mark(run, three, user, "done", 200 - minutes)
    return run_finish(run=run, acting_user=user)


def test_report_shows_drift_worst_first_the_path_and_the_trend(
    client_for, project, rehearsal, three_steps, pm
):
    finish_in(rehearsal, three_steps, pm, 200)  # step 2: 200 for 120 planned
    page = client_for(pm).get(url("run_report", project, rehearsal.pk)).text
    drift = page[page.index('id="drift-table"') :]
    assert drift.index("Load master data") < drift.index("Freeze legacy")
    assert "+1 h 20 min" in drift
    assert "Fits the window with the buffer" in page
    assert "Rehearsal 1" in page[page.index('id="trend-table"') :]
    assert "<svg" in page


def test_gate_reads_signed_off_and_last_rehearsal_fits(
    project, plan_version, three_steps, members, pm
):
    assert run_selectors.last_rehearsal_fits(project) is None
    assert not cutover_criteria(project).signed_off
    run = run_start(plan=plan_version.plan, acting_user=pm, started_at=ago(290))
    finish_in(run, three_steps, pm, 200)
    fit = run_selectors.last_rehearsal_fits(project)
    # 60 + 200 + 30 = 290 minutes of a 60 h window with a 2 h buffer.
    assert fit.number == 1
    assert fit.fits
    assert fit.spare_minutes == 60 * 60 - 290
    assert fit.sentence == "Rehearsal 1 fits the window with 55 h 10 min to spare"
    approver = members[Role.APPROVER]
    from tests.cutover.conftest import give_roles

    give_roles(project, approver, ["business_owner"])
    plan_version.refresh_from_db()
    plan_sign_off(plan_version=plan_version, acting_user=approver, decision="approve",
                  as_role="business_owner")  # fmt: skip
    plan_sign_off(plan_version=plan_version, acting_user=pm, decision="approve",
                  as_role="project_manager")  # fmt: skip
    assert cutover_criteria(project).signed_off


def test_last_rehearsal_fits_says_by_how_much_it_overran(project, plan_version, three_steps, pm):
    plan_version.window_end = plan_version.window_start + datetime.timedelta(hours=4)
    plan_version.save()
    run = run_start(plan=plan_version.plan, acting_user=pm, started_at=ago(290))
    finish_in(run, three_steps, pm, 200)
    fit = run_selectors.last_rehearsal_fits(project)
    assert not fit.fits
    assert fit.spare_minutes == -50
    assert fit.sentence == "Rehearsal 1 overran the window by 50 min"


def test_abandoned_rehearsal_leaves_the_trend(project, rehearsal, pm):
    run_abandon(run=rehearsal, acting_user=pm)
    assert CutoverRun.objects.get().status == "abandoned"
    assert run_selectors.last_rehearsal_fits(project) is None


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_watches_the_run_sheet_and_the_report(
    client_for, project, members, rehearsal, role
):
    client = client_for(members[role])
    for name in ("runs", "run", "run_report"):
        args = [] if name == "runs" else [rehearsal.pk]
        response = client.get(url(name, project, *args))
        assert response.status_code == 200, name
    page = client.get(url("run", project, rehearsal.pk)).text
    can_mark_step_1 = role == Role.PROJECT_MANAGER
    assert ('name="kind"' in page.split('id="step-2"')[0]) is can_mark_step_1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_plan_editors_start_and_finish(
    client_for, project, members, plan_version, three_steps, role
):
    client = client_for(members[role])
    response = client.post(url("run_start", project))
    if role == Role.PROJECT_MANAGER:
        run = CutoverRun.objects.get()
        assert response.status_code == 302
        assert client.post(url("run_finish", project, run.pk)).status_code == 302
    else:
        assert response.status_code == 403
        assert not CutoverRun.objects.exists()


def test_cutover_manager_runs_rehearsals(
    client_for, project, plan_version, three_steps, cutover_manager
):
    client = client_for(cutover_manager)
    assert client.post(url("run_start", project)).status_code == 302
    run = CutoverRun.objects.get()
    address = url("step_mark", project, run.pk, three_steps[0].pk)
    assert client.post(address, {"kind": "started"}).status_code == 302


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_marks_a_step_the_owner_and_the_editors(
    client_for, project, members, rehearsal, three_steps, role, pm
):
    one, two, _ = three_steps
    mark(rehearsal, one, pm, "started", 100)
    mark(rehearsal, one, pm, "done", 50)
    response = client_for(members[role]).post(
        url("step_mark", project, rehearsal.pk, two.pk), {"kind": "started"}
    )
    allowed = role in (Role.PROJECT_MANAGER, Role.CONTRIBUTOR)  # the contributor owns step 2
    assert response.status_code == (302 if allowed else 403)
    assert StepEvent.objects.filter(step=two).exists() is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            step_record(run=rehearsal, step=two, acting_user=members[role], kind="skipped")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_corrects_a_time(client_for, project, members, rehearsal, three_steps, role, pm):
    started = mark(rehearsal, three_steps[1 - 1], pm, "started", 100)
    address = url("event_correct", project, rehearsal.pk, started.pk)
    allowed = role == Role.PROJECT_MANAGER  # step 1 has no owner
    assert client_for(members[role]).get(address).status_code == (200 if allowed else 403)


def test_outsider_gets_404_on_every_run_url(
    client_for, project, rehearsal, three_steps, pm, outsider
):
    started = mark(rehearsal, three_steps[0], pm, "started", 10)
    client = client_for(outsider)
    gets = [url("runs", project), url("run", project, rehearsal.pk),
            url("run_report", project, rehearsal.pk),
            url("event_correct", project, rehearsal.pk, started.pk),
            url("step_finding", project, rehearsal.pk, three_steps[0].pk)]  # fmt: skip
    posts = [url("run_start", project), url("run_finish", project, rehearsal.pk),
             url("run_abandon", project, rehearsal.pk),
             url("step_mark", project, rehearsal.pk, three_steps[0].pk)]  # fmt: skip
    for address in gets:
        assert client.get(address).status_code == 404, address
    for address in posts:
        assert client.post(address, {"kind": "done"}).status_code == 404, address
    assert StepEvent.objects.count() == 1
    assert CutoverRun.objects.get().status == "running"


def test_run_of_another_project_is_404(client_for, project, members, rehearsal):
    from tests.factories import CutoverRunFactory

    foreign = CutoverRunFactory()
    response = client_for(members[Role.PROJECT_MANAGER]).get(url("run", project, foreign.pk))
    assert response.status_code == 404
