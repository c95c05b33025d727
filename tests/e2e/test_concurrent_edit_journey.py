"""Two people edit the same item at once: the second save is refused, nothing is lost."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import open_item

pytestmark = pytest.mark.e2e

ITEM = "Business sign-off on UAT"
FIRST = "Sign-off meeting moved to Thursday; business owners confirmed."
SECOND = "UAT cycle 2 closes Friday; sign-off straight after."


def _open_editor(page, review):
    page.goto(review.get_absolute_url())
    open_item(page, ITEM).get_by_role("link", name=f"Edit {ITEM}", exact=True).click()
    response = page.get_by_label(re.compile(r"^\s*Response\s*$"))
    expect(response).to_be_visible()
    return response


# Found by this journey: htmx 2 swaps only 2xx responses by default, so the 409 conflict
# answer of the inline editor used to leave the editor on screen without the message.
# templates/base.html now lets htmx swap 409 and 422 responses.
def test_second_save_of_the_same_item_shows_the_conflict_and_keeps_the_text(page_for, demo):
    from reviews.models import ReviewItem

    review = demo["review"]
    facilitator = page_for("facilitator@demo.example.com")
    manager = page_for("pm@demo.example.com")
    first = _open_editor(facilitator, review)
    second = _open_editor(manager, review)

    first.fill(FIRST)
    second.fill(SECOND)
    facilitator.get_by_role("button", name="Save").click()
    expect(facilitator.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    manager.get_by_role("button", name="Save").click()

    conflict = manager.get_by_role("alert").filter(
        has_text="changed this item while you were editing it"
    )
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Fiona Facilitator")
    expect(conflict).to_contain_text("Your text is still in the form.")
    expect(manager.get_by_label(re.compile(r"^\s*Response\s*$"))).to_have_value(SECOND)
    assert ReviewItem.objects.get(review=review, title=ITEM).response == FIRST
