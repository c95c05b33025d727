"""Support plan: the project manager finds the demo's weekend gap and closes it by editing
the line's exceptions; a viewer reads the plan, the coverage calendar and hypercare on a
phone without sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import field

pytestmark = pytest.mark.e2e

GAP = "L2 has no cover Saturday 02:00\u201308:00 during cutover"


def test_project_manager_closes_the_weekend_gap(page_for, demo):
    project = demo["project"]
    page = page_for("pm@demo.example.com")
    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Support plan").click()
    expect(page.get_by_role("heading", name="Support plan", level=1)).to_be_visible()
    expect(page.locator("#gaps")).to_have_text(re.compile(re.escape(GAP)))
    expect(page.get_by_text("2 of 3 done")).to_be_visible()

    page.locator("[id^='line-']").filter(has_text="Contoso IT application support").get_by_role(
        "link", name="Edit"
    ).click()
    exceptions = page.get_by_label(field("Exceptions for given dates"))
    text = exceptions.input_value()
    saturday = re.search(r"(\d{4}-\d{2}-\d{2}) 00:00-02:00", text)[1]
    exceptions.fill(
        re.sub(rf"{saturday} 00:00-02:00\n{saturday} 08:00-24:00", f"{saturday} 24h", text)
    )
    page.get_by_role("button", name="Save the line").click()
    expect(page.get_by_text("Every line covers the cutover window")).to_be_visible()
    expect(page.get_by_text("The sign-offs of Paul Manager are superseded")).to_be_visible()


@pytest.mark.parametrize("name", ["plan", "coverage", "hypercare"])
def test_viewer_reads_the_support_pages_on_a_phone(page_for, demo, name):
    from django.urls import reverse

    project = demo["project"]
    page = page_for("viewer@demo.example.com", viewport={"width": 390, "height": 844})
    page.goto(reverse(f"support:{name}", args=[project.pk]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if name != "hypercare":
        expect(page.get_by_text(GAP).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_support_pages_have_no_serious_accessibility_violation(page_for, demo):
    from django.urls import reverse

    from tests.e2e.test_accessibility import axe_blocking_violations

    project = demo["project"]
    page = page_for("facilitator@demo.example.com")  # an editor: every form is on the page
    found = []
    for name in ("plan", "coverage", "hypercare", "line_add", "kt_add", "plan_settings"):
        page.goto(reverse(f"support:{name}", args=[project.pk]))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations, _ = axe_blocking_violations(page, f"support {name}")
        found += [f"support {name}: {text}" for text in violations]
    assert not found, "\n".join(found)
