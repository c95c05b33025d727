"""Project manager: sets the go / no-go criteria (adds a threshold, switches a built-in off)
and sees them marked on the gate; the criteria page and the gate fit a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, field

pytestmark = pytest.mark.e2e


def _open_risks(project):
    from risks.selectors import open_risk_counts

    return open_risk_counts(project)["open_risks"]


def test_project_manager_sets_the_criteria_and_sees_them_on_the_gate(page_for, demo):
    project, review = demo["project"], demo["review"]
    page = page_for("pm@demo.example.com", viewport={"width": 1280, "height": 900})

    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Go / no-go criteria").click()
    expect(page.get_by_role("heading", name="Go / no-go criteria", level=1)).to_be_visible()
    # The demo's stale attested value counts as missing.
    expect(page.locator("#own-criteria")).to_contain_text("so it counts as missing")

    threshold = page.locator("form").filter(has=page.get_by_role("button", name="Add threshold"))
    threshold.get_by_label(field("Count")).select_option(label="Open risks and issues")
    threshold.get_by_label(field("Must be")).select_option(label="at most (≤)")
    threshold.get_by_label(field("Number")).fill("0")
    threshold.get_by_role("button", name="Add threshold").click()
    expect(page.get_by_text("Criterion added.")).to_be_visible()
    expect(page.locator("#own-criteria")).to_contain_text("Open risks and issues at most 0")

    page.get_by_role("button", name="Switch off: No overdue mitigation action").click()
    expect(page.get_by_text("Criterion switched off.")).to_be_visible()
    expect(
        page.locator("#builtin-criteria li").filter(has_text="No overdue mitigation action")
    ).to_contain_text("Off")
    # Switched in place (htmx); the history has it on the next visit.
    page.reload()
    expect(
        page.locator("#builtin-criteria li").filter(has_text="No overdue mitigation action")
    ).to_contain_text("Off")
    expect(page.locator("#criteria-history")).to_contain_text("switched off")
    page.screenshot(path=str(SCREENSHOTS / "gate-criteria-settings-1280.png"), full_page=True)

    page.goto(f"/projects/{project.pk}/reviews/{review.pk}/decision/")
    criteria = page.locator("#gate-criteria")
    count = _open_risks(project)
    row = criteria.locator("li").filter(has_text="Open risks and issues at most 0")
    expect(row).to_contain_text(
        re.compile(rf"{count} open risks? (and|or) issues? \(at most 0\)\.")
    )
    expect(row.locator(".badge")).to_have_text("Not met" if count else "Met")
    expect(criteria).not_to_contain_text("No overdue mitigation action")
    expect(
        page.get_by_text("Switched off for this project: No overdue mitigation action")
    ).to_be_visible()
    expect(
        criteria.locator("li").filter(has_text="Unreconciled open-item balances")
    ).to_contain_text("Missing")
    expect(
        page.get_by_role("heading", name=re.compile("Overdue mitigation actions"))
    ).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "gate-criteria-gate-1280.png"), full_page=True)


def test_the_criteria_and_the_gate_fit_a_phone(page_for, demo):
    project, review = demo["project"], demo["review"]
    page = page_for("approver@demo.example.com", viewport={"width": 390, "height": 844})
    page.goto(f"/projects/{project.pk}/criteria/")
    expect(page.get_by_role("button", name="Add threshold")).to_have_count(0)
    expect(page.get_by_text("Attest a value").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "gate-criteria-settings-390.png"), full_page=True)
    page.goto(f"/projects/{project.pk}/reviews/{review.pk}/decision/")
    expect(page.locator("#gate-criteria")).to_contain_text("Severity-1 UAT defects open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "gate-criteria-gate-390.png"), full_page=True)
