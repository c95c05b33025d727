"""Contributor: works an action, answers an item they own, and cannot open another project."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import open_item

pytestmark = pytest.mark.e2e

ACTION = "Map the MT940 field 86 variant and retest with the bank"
ITEM = "Testers use their real security roles"
RESPONSE = "Per-persona warehouse roles created; UAT warehouse scripts rerun with them."


def test_contributor_completes_an_action_updates_an_item_and_is_refused_elsewhere(page_for, demo):
    from reviews.models import ReviewItem
    from risks.models import MitigationAction

    review, project, fabrikam = demo["review"], demo["project"], demo["other"]
    page = page_for("contributor@demo.example.com")

    page.get_by_role("link", name="My actions").first.click()
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=ACTION)
    expect(row).to_contain_text("Overdue")
    row.get_by_role("button", name="Done").click()
    expect(row.get_by_role("button", name="Reopen")).to_be_visible()
    expect(row).to_contain_text("Done")
    assert MitigationAction.objects.get(description=ACTION).status == "done"

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name=project.name, exact=True).click()
    page.get_by_role("link", name=review.title, exact=True).click()
    page.get_by_label("Owner").select_option(label="Me")
    mine = review.items.filter(owner__email="contributor@demo.example.com").count()
    shown = re.compile(rf"^Showing {mine} of {review.items.count()} items · clear the filters")
    expect(page.get_by_text(shown)).to_be_visible()
    open_item(page, ITEM).get_by_role("link", name=f"Edit {ITEM}", exact=True).click()
    editor = page.get_by_role("button", name="Save")
    expect(editor).to_be_visible()
    # The editor's required status ("Status*"), not the filter above the list ("Status").
    page.get_by_label("Status*", exact=True).select_option(label="Done")
    page.get_by_label(field("Response")).fill(RESPONSE)
    editor.click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(page.get_by_text(RESPONSE)).to_be_visible()
    item = ReviewItem.objects.get(review=review, title=ITEM)
    assert (item.status, item.response) == ("done", RESPONSE)

    # A project the contributor is not a member of does not exist for them.
    response = page.goto(f"/projects/{fabrikam.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text(fabrikam.name)).to_have_count(0)


def field(label):
    """A form field's label as crispy-forms renders it: the text, maybe a * for required."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")
