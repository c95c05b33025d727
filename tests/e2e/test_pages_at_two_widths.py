"""Every main page at a laptop's 1280 pixels and a phone's 390: nothing scrolls sideways.

The screenshots land in tests/e2e/screenshots/<page>-<width>.png, to look at after a change.
"""

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_item

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)


def _pages(demo):
    from django.urls import reverse

    from decisions.models import Decision
    from risks.models import Risk

    project, review = demo["project"], demo["review"]
    ids = {"project_pk": project.pk, "review_pk": review.pk}
    item = review.items.get(title="Several full dry runs executed")
    workshop = review.workshops.first()
    return [
        ("home", reverse("home")),
        ("projects", reverse("project_list")),
        ("project", project.get_absolute_url()),
        ("members", reverse("projects:members", args=[project.pk])),
        ("review", review.get_absolute_url()),
        ("item", item.get_absolute_url()),
        ("workshop-mode", reverse("reviews:workshop_mode", kwargs=ids)),
        ("workshop", workshop.get_absolute_url()),
        ("risk-register", reverse("risks:register", args=[project.pk])),
        ("risk", Risk.objects.filter(project=project).first().get_absolute_url()),
        ("my-actions", reverse("risks:my_actions")),
        ("actions-by-owner", reverse("risks:actions_by_owner", args=[project.pk])),
        ("awaiting-signoff", reverse("reviews:awaiting_signoff")),
        ("go-no-go", reverse("decisions:decision", kwargs=ids)),
        ("decisions", reverse("decisions:decision_list", args=[project.pk])),
        ("gate-criteria", reverse("decisions:criteria", args=[project.pk])),
        ("reviews", reverse("reviews:review_list", args=[project.pk])),
        ("decision", Decision.objects.get(review__project=project, status="recorded").get_absolute_url()),
        ("cutover-plan", reverse("cutover:plan", args=[project.pk])),
        ("cutover-settings", reverse("cutover:plan_settings", args=[project.pk])),
        ("cutover-step", reverse("cutover:step_edit", args=[project.pk, project.cutover_plan.versions.get().steps.get(number=21).pk])),
        ("cutover-import", reverse("cutover:import", args=[project.pk])),
        ("cutover-history", reverse("cutover:history", args=[project.pk, 1])),
        ("cutover-rehearsals", reverse("cutover:runs", args=[project.pk])),
        ("cutover-rehearsal", reverse("cutover:run", args=[project.pk, _rehearsal(project, 1)])),
        ("cutover-report", reverse("cutover:run_report", args=[project.pk, _rehearsal(project, 1)])),
    ]  # fmt: skip


def _rehearsal(project, number):
    return project.cutover_plan.runs.get(kind="rehearsal", number=number).pk


def _overflow(page):
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_fit_the_width_of_a_laptop_and_a_phone(page_for, demo, width):
    page = page_for("pm@demo.example.com", viewport={"width": width, "height": 900})
    SCREENSHOTS.mkdir(exist_ok=True)
    too_wide = []
    for name, url in _pages(demo):
        response = page.goto(url)
        assert response.status == 200, f"{name} ({url}) answered {response.status}"
        if _overflow(page) > 0:
            too_wide.append(f"{name} ({url}): {_overflow(page)} px too wide")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    # The review with one item's details open, as the team works through it.
    page.goto(demo["review"].get_absolute_url())
    if width < 768:
        page.locator("#area-data_migration summary").click()
    open_item(page, "Several full dry runs executed")
    expect(page.get_by_role("link", name="Item page").first).to_be_visible()
    if _overflow(page) > 0:
        too_wide.append(f"review with an item open: {_overflow(page)} px too wide")
    page.screenshot(path=str(SCREENSHOTS / f"review-item-open-{width}.png"), full_page=True)
    assert not too_wide, "pages scroll sideways:\n" + "\n".join(too_wide)
