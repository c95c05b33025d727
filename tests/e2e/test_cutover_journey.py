"""Cutover manager: builds the plan from the typical steps, is refused a loop with the loop
named, and sees the fit sentence turn when a step grows past the window; a viewer only
reads the plan; the plan page stays inside a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import field

pytestmark = pytest.mark.e2e


def _without_plan(project):
    from cutover.models import CutoverPlan

    CutoverPlan.objects.filter(project=project).delete()


def _edit_step(page, number):
    page.locator(f"#step-{number}").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Step {number}:")


def test_cutover_manager_builds_the_plan_and_is_refused_a_loop(page_for, demo):
    project = demo["project"]
    _without_plan(project)
    page = page_for("facilitator@demo.example.com")  # holds the cutover manager's role

    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Cutover plan").click()
    expect(page.get_by_role("heading", name="Cutover plan")).to_be_visible()
    page.get_by_label(field("Window opens")).fill("2026-03-06T18:00")
    page.get_by_label(field("Window closes")).fill("2026-03-09T06:00")
    page.get_by_label(field("Buffer wanted (minutes)")).fill("120")
    page.get_by_role("button", name="Create the cutover plan").click()
    expect(page.get_by_role("heading", name="No steps yet")).to_be_visible()

    page.get_by_role("button", name="Start from the typical 28 steps").click()
    expect(page.get_by_text("The typical 28 steps are in")).to_be_visible()
    fit = page.locator("#fit")
    expect(fit).to_contain_text(re.compile(r"The plan fits with \d+ h"))
    expect(page.locator("tr[id^='step-']")).to_have_count(28)
    assert page.locator(".cutover-timeline .tl-critical").count() > 3

    # Step 14 (freeze the legacy system) waiting for step 19 (validation) closes a loop.
    _edit_step(page, 14)
    page.get_by_label(field("Waits for steps")).fill("13, 19")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(
            re.compile(r"That would make a loop: Step 19 → 14 → 15 → 16 → 1[78] → 19\.")
        )
    ).to_be_visible()
    page.get_by_role("link", name="Cancel").click()

    # Loading master data for 50 hours does not fit a 60-hour window.
    before = fit.inner_text()
    _edit_step(page, 16)
    page.get_by_label(field("Planned duration (minutes)")).fill("3000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Step 16 saved.")).to_be_visible()
    expect(fit).to_contain_text(re.compile(r"The plan overruns by \d+ h"))
    assert fit.inner_text() != before
    expect(page.locator("#fit .badge")).to_have_class(re.compile("text-bg-danger"))


def test_viewer_reads_the_plan_and_the_page_fits_a_phone(page_for, demo):
    project = demo["project"]
    page = page_for("viewer@demo.example.com", viewport={"width": 390, "height": 844})
    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Cutover plan").click()
    expect(page.locator("#fit")).to_contain_text("The plan fits with")
    expect(page.get_by_role("link", name="Add a step")).to_have_count(0)
    expect(page.get_by_role("button", name="Record my sign-off")).to_have_count(0)
    expect(page.locator("#step-4").get_by_role("link")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".timeline-box")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")  # scrolls inside
