"""Facilitator: carries the demo's latest review forward into a new one, then in workshop mode
confirms one answer with the key c and changes another, and the "to re-confirm" count drops."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, field

pytestmark = pytest.mark.e2e

NEW_TITLE = "Go-live readiness review (1 week out)"
CHANGED = "Re-checked in the workshop: still true, evidence refreshed."


def test_facilitator_carries_a_review_forward_and_confirms_in_workshop_mode(page_for, demo):
    from reviews.models import Review

    project, previous = demo["project"], demo["review"]
    page = page_for("facilitator@demo.example.com", viewport={"width": 1280, "height": 900})

    page.get_by_role("link", name=project.name, exact=True).first.click()
    page.get_by_role("link", name="New review").first.click()
    start_from = page.get_by_label(field("Start from"))
    expect(start_from).to_have_value(str(previous.pk))  # the latest review by default
    page.get_by_label(field("Title")).fill(NEW_TITLE)
    page.get_by_role("button", name="Create review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    expect(page.get_by_text("carried forward from", exact=False).first).to_be_visible()

    review = Review.objects.get(project=project, title=NEW_TITLE)
    carried = review.items.filter(to_reconfirm=True).count()
    assert carried > 2
    assert not review.items.filter(signoffs__isnull=False).exists()
    reconfirm = page.get_by_label(f"To re-confirm ({carried})")
    expect(reconfirm).to_be_visible()
    reconfirm.check()
    expect(page.get_by_text(re.compile(rf"Showing {carried} of \d+ items"))).to_be_visible()

    # Workshop mode: the first carried item, confirmed with the keyboard.
    first = review.items.filter(to_reconfirm=True).order_by("section__order", "order").first()
    page.goto(f"/projects/{project.pk}/reviews/{review.pk}/workshop/?item={first.pk}")
    page.wait_for_load_state()  # the shortcuts listen once the scripts have run
    count = page.locator("#workshop-reconfirm-count")
    expect(count).to_have_text(f"{carried} to re-confirm")
    expect(page.get_by_role("button", name=re.compile("^Confirm"))).to_be_visible()
    page.keyboard.press("c")
    expect(page.get_by_role("status").filter(has_text="Confirmed.")).to_be_visible()
    expect(count).to_have_text(f"{carried - 1} to re-confirm")
    first.refresh_from_db()
    assert first.to_reconfirm is False

    # The next item: changed rather than confirmed, which clears the mark too.
    page.keyboard.press("n")
    question = page.locator("#workshop-item").get_by_role("heading", level=2)
    expect(question).not_to_have_text(first.title)
    second_title = question.inner_text()
    page.keyboard.press("r")
    expect(page.get_by_label("Response")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(CHANGED)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(count).to_have_text(f"{carried - 2} to re-confirm")
    second = review.items.get(title=second_title)
    assert (second.response, second.to_reconfirm) == (CHANGED, False)
    page.screenshot(path=str(SCREENSHOTS / "carry-forward-workshop-1280.png"), full_page=True)

    # On a phone: the review page with the filter still fits and shows the new count.
    phone = page_for("facilitator@demo.example.com", viewport={"width": 390, "height": 844})
    phone.goto(review.get_absolute_url() + "?reconfirm=1")
    expect(phone.get_by_label(f"To re-confirm ({carried - 2})")).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOTS / "carry-forward-review-390.png"), full_page=True)
