"""The gate's two cutover criteria: the plan signed off, and the last rehearsal fitting the
window with the buffer. Frozen in the snapshot, shown on the gate and in the PDF."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cutover.services import plan_sign_off, step_add
from cutover.services.runs import run_finish, run_start, step_record
from cutover.summary import cutover_summary
from decisions.models import Outcome
from decisions.selectors import gate, overrides, vote_tally
from decisions.services import decision_record
from projects.models import Role
from summaries.pdf import summary_html
from tests.cutover.conftest import give_roles
from tests.decisions.test_decisions import clear_the_gate, open_with_votes
from tests.factories import make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


def sign_the_plan(plan_version, project, members):
    """The business owner (the approver) and the project manager sign the plan off."""
    give_roles(project, members[Role.APPROVER], ["business_owner"])
    for role, as_role in (
        (Role.APPROVER, "business_owner"),
        (Role.PROJECT_MANAGER, "project_manager"),
    ):
        plan_version.refresh_from_db()
        plan_sign_off(
            plan_version=plan_version, acting_user=members[role], decision="approve",
            as_role=as_role,
        )  # fmt: skip
    plan_version.refresh_from_db()
    assert plan_version.status == "signed_off"


def rehearse(plan_version, steps, members, *, hours, hours_ago=None):
    """A finished rehearsal whose steps ran one after the other over ``hours``, begun
    ``hours_ago`` (an hour before it would have ended now, by default)."""
    pm = members[Role.PROJECT_MANAGER]
    began = timezone.now() - datetime.timedelta(hours=hours_ago or hours + 1)
    run = run_start(plan=plan_version.plan, acting_user=pm, started_at=began)
    each = datetime.timedelta(hours=hours) / len(steps)
    moment = began
    for step in steps:
        step_record(run=run, step=step, acting_user=pm, kind="started", at=moment)
        moment += each
        step_record(run=run, step=step, acting_user=pm, kind="done", at=moment)
    run_finish(run=run, acting_user=pm, ended_at=moment)
    return run


def test_a_project_without_a_cutover_plan_does_not_use_the_criteria(review, members):
    clear_the_gate(review, members)
    state = gate(review)
    assert not state["cutover"].in_use
    assert state["clear"]


def test_an_unsigned_plan_without_a_rehearsal_keeps_the_gate_from_clearing(
    review, members, plan_version, three_steps
):
    clear_the_gate(review, members)
    state = gate(review)
    assert not state["clear"]
    assert state["cutover"].unmet() == [
        "the cutover plan not signed off",
        "no finished cutover rehearsal",
    ]
    decision = open_with_votes(review, members, members[Role.APPROVER])
    (gate_part,) = [part for part in overrides(state, vote_tally(decision)) if "gate" in part]
    assert "the cutover plan not signed off" in gate_part
    # The facilitator cannot record a go over it; the project manager only as an override.
    with pytest.raises(PermissionDenied):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome=Outcome.GO,
            rationale="All done.",
        )  # fmt: skip


def test_a_signed_plan_and_a_rehearsal_that_fits_clear_the_gate(
    review, members, project, plan_version, three_steps
):
    sign_the_plan(plan_version, project, members)
    rehearse(plan_version, three_steps, members, hours=4)  # the window is 60 h, 2 h buffer
    clear_the_gate(review, members)
    state = gate(review)
    assert state["cutover"].signed_off
    assert state["cutover"].rehearsal_fits
    assert state["clear"]
    decision = open_with_votes(review, members, members[Role.APPROVER])
    recorded = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome=Outcome.GO,
        rationale="Everything done, signed and rehearsed.",
    )  # fmt: skip
    frozen = recorded.snapshot["gate"]["cutover"]
    assert (frozen["in_use"], frozen["signed_off"], frozen["met"]) == (True, True, True)
    assert (frozen["rehearsal"]["number"], frozen["rehearsal"]["fits"]) == (1, True)
    assert frozen["rehearsal"]["text"].startswith("Rehearsal 1 fits the window with")


def test_a_last_rehearsal_that_overran_is_an_unmet_criterion_even_after_one_that_fitted(
    review, members, project, plan_version, three_steps
):
    sign_the_plan(plan_version, project, members)
    rehearse(plan_version, three_steps, members, hours=4)
    rehearse(plan_version, three_steps, members, hours=61)  # past the 60 h window
    clear_the_gate(review, members)
    state = gate(review)
    assert not state["clear"]
    assert state["cutover"].unmet() == [
        "a last rehearsal that does not fit the window with the buffer"
    ]
    assert state["cutover"].rehearsal_text == "Rehearsal 2 overran the window by 1 h."


def test_the_gate_page_shows_both_criteria(client_for, review, members, plan_version, three_steps):
    response = client_for(members[Role.VIEWER]).get(
        f"/projects/{review.project_id}/reviews/{review.pk}/decision/"
    )
    page = response.content.decode()
    assert "Cutover plan version 1 is not signed off." in page
    assert "No rehearsal of the cutover has finished yet." in page


def test_the_gate_page_says_when_a_project_has_no_cutover_plan(client_for, review, members):
    response = client_for(members[Role.VIEWER]).get(
        f"/projects/{review.project_id}/reviews/{review.pk}/decision/"
    )
    assert "This project has no cutover plan, so the gate does not check one." in (
        response.content.decode()
    )


def test_the_summary_pdf_has_the_cutover_plan_its_timeline_and_rehearsals(
    review, members, project, plan_version, three_steps
):
    rehearse(plan_version, three_steps, members, hours=61)
    rehearse(plan_version, three_steps, members, hours=4)
    html = summary_html(review)
    assert "7. Cutover plan" in html
    assert "not signed off" in html
    assert 'class="cutover-timeline"' in html
    assert "Rehearsal 1 overran the window by 1 h" in html
    assert "Rehearsal 2 fits the window with" in html


def test_the_summary_pdf_without_a_cutover_plan_has_no_cutover_chapter(review):
    assert "Cutover plan</h2>" not in summary_html(review)


@pytest.mark.parametrize("size", [1, 10])
def test_the_cutover_chapter_reads_in_a_fixed_number_of_queries(
    review, members, plan_version, size, django_assert_max_num_queries
):
    pm = members[Role.PROJECT_MANAGER]
    steps = [
        step_add(
            plan_version=plan_version,
            acting_user=pm,
            title=f"Step {number}",
            duration_minutes=30,
            predecessors=[number - 1] if number > 1 else [],
        )
        for number in range(1, 3 * size + 1)
    ]
    for _ in range(size):
        rehearse(plan_version, steps, members, hours=4)
    with django_assert_max_num_queries(9):
        summary = cutover_summary(review.project)
    assert len(summary.view.lines) == 3 * size
    assert len(summary.rehearsals) == size


def test_the_gate_never_shows_a_cached_fit_after_a_correction_or_a_new_rehearsal(
    review, members, project, plan_version, three_steps
):
    from cutover.models import StepEvent
    from cutover.services.runs import step_correct

    run = rehearse(plan_version, three_steps, members, hours=4, hours_ago=70)
    assert gate(review)["cutover"].rehearsal_fits  # read once: now in the cache
    last_done = StepEvent.objects.filter(run=run, kind="done").latest("at")
    step_correct(
        event=last_done, acting_user=members[Role.PROJECT_MANAGER],
        at=last_done.at + datetime.timedelta(hours=58), note="The clock was wrong",
    )  # fmt: skip
    assert gate(review)["cutover"].rehearsal_text == "Rehearsal 1 overran the window by 2 h."
    rehearse(plan_version, three_steps, members, hours=4)
    assert gate(review)["cutover"].rehearsal_text.startswith("Rehearsal 2 fits the window")
