"""The cutover board during a mock cutover of the demo plan: the checkpoint is reached, its
approvers vote on the board (a roll back without a reason is refused in place), and a viewer
watching the same board sees the votes and the outcome arrive by themselves, without the
buttons. The board fits a phone's width."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import axe_blocking_violations

pytestmark = pytest.mark.e2e

POLL_WAIT_MS = 25_000  # the board polls every 10 s


def _running_rehearsal_at_the_first_checkpoint(project):
    """A rehearsal of the demo plan started 14 hours ago; every forward step before the
    checkpoint (step 21) is done, step 22 waits for it."""
    from django.db.models import Max

    from cutover.models import CutoverRun, PlanStatus, StepEvent
    from projects.models import Membership, Role

    version = project.cutover_plan.versions.exclude(status=PlanStatus.SUPERSEDED).get()
    manager = Membership.objects.get(project=project, role=Role.FACILITATOR).user
    started = timezone.now() - datetime.timedelta(hours=14)
    plan = version.plan
    CutoverRun.objects.filter(plan=plan, status="running").update(
        status="abandoned", ended_at=timezone.now()
    )
    number = (plan.runs.filter(kind="rehearsal").aggregate(n=Max("number"))["n"] or 0) + 1
    run = CutoverRun.objects.create(
        plan=plan, plan_version=version, kind="rehearsal", number=number, started_at=started,
        started_by=manager,
    )  # fmt: skip
    at = started
    for step in version.steps.filter(is_rollback=False, number__lt=21).order_by("number"):
        StepEvent.objects.create(run=run, step=step, kind="started", at=at, by=manager)
        at += datetime.timedelta(minutes=step.duration_minutes // 3)
        StepEvent.objects.create(run=run, step=step, kind="done", at=at, by=manager)
    return run


def test_approvers_vote_at_the_checkpoint_and_a_viewer_watches(page_for, demo):
    project = demo["project"]
    run = _running_rehearsal_at_the_first_checkpoint(project)
    board_url = reverse("cutover:board", args=[project.pk])

    viewer = page_for("viewer@demo.example.com", viewport={"width": 1280, "height": 900})
    viewer.goto(project.cutover_plan.get_absolute_url())
    viewer.get_by_role("link", name="Cutover board").click()
    expect(viewer.get_by_role("heading", level=1)).to_contain_text(f"Rehearsal {run.number}")
    checkpoint = viewer.locator("#checkpoint-21")
    expect(checkpoint).to_contain_text("vote open")
    expect(checkpoint).to_contain_text("Awaiting: Alice Approver, Arjun Approver")
    expect(viewer.get_by_role("button", name="Go on")).to_have_count(0)
    expect(viewer.locator("#progress")).to_contain_text("/")

    alice = page_for("approver@demo.example.com")
    alice.goto(board_url)
    vote = alice.locator("#checkpoint-21")
    vote.get_by_role("button", name="Roll back").click()
    expect(alice.locator("#vote-error")).to_have_text("Say why the cutover should roll back.")
    SCREENSHOTS.mkdir(exist_ok=True)
    alice.screenshot(path=str(SCREENSHOTS / "cutover-board-vote-1280.png"), full_page=True)
    violations, _known = axe_blocking_violations(alice, "cutover board")
    assert not violations, "\n".join(violations)
    vote.get_by_label("Your comment").fill("Samples signed, totals reconcile.")
    vote.get_by_role("button", name="Go on").click()
    expect(vote).to_contain_text("Alice Approver: Go on")
    expect(vote).to_contain_text("Awaiting: Arjun Approver")

    # The viewer's board shows Alice's vote at its next refresh, without a reload.
    expect(checkpoint).to_contain_text("Alice Approver: Go on", timeout=POLL_WAIT_MS)
    expect(viewer.get_by_role("button", name="Go on")).to_have_count(0)

    arjun = page_for("approver2@demo.example.com")
    arjun.goto(board_url)
    arjun.locator("#checkpoint-21").get_by_role("button", name="Go on").click()
    expect(arjun.locator("#checkpoint-21 .checkpoint-outcome")).to_contain_text("Go on")
    expect(arjun.get_by_role("button", name="Roll back")).to_have_count(0)

    expect(viewer.locator("#checkpoint-21 .checkpoint-outcome")).to_contain_text(
        "Go on", timeout=POLL_WAIT_MS
    )
    expect(viewer.locator("#next-checkpoint")).to_contain_text("Step 31")
    from cutover.models import CheckpointOutcome

    assert CheckpointOutcome.objects.get(run=run).outcome == "go_on"

    viewer.screenshot(path=str(SCREENSHOTS / "cutover-board-1280.png"), full_page=True)
    phone = page_for("viewer@demo.example.com", viewport={"width": 390, "height": 844})
    phone.goto(board_url)
    expect(phone.locator("#board")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board is {width} px wide on a 390 px phone"
    phone.screenshot(path=str(SCREENSHOTS / "cutover-board-390.png"), full_page=True)
