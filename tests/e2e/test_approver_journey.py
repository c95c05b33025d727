"""Approver: signs off what awaits them, rejects one item, cannot sign another's role, votes."""

import pytest
from playwright.sync_api import expect

from .conftest import open_item

pytestmark = pytest.mark.e2e

# In the demo these wait for Alice Approver as business owner (reviews/demo.py).
TO_APPROVE = ["Stakeholder sign-off on performance", "Stakeholder sign-off on SIT"]
TO_REJECT = "Present scope in business-process terms"
REJECTION = "The scope must name the three ISV solutions and the 14 interfaces."
NOT_MINE = "End-to-end testing completed"  # the test lead's sign-off, not a business owner's


def _vote_is_open(review):
    from accounts.models import User
    from decisions.services import decision_open

    decision_open(review=review, acting_user=User.objects.get(email="facilitator@demo.example.com"))


def test_approver_signs_off_rejects_and_votes(page_for, demo):
    from decisions.models import Vote
    from reviews.models import SignOff

    review, project = demo["review"], demo["project"]
    _vote_is_open(review)
    page = page_for("approver@demo.example.com")

    awaiting = page.get_by_role("region", name="Awaiting my sign-off")
    expect(awaiting.get_by_role("heading")).to_contain_text("Awaiting my sign-off")
    for title in [*TO_APPROVE, TO_REJECT]:
        expect(awaiting.get_by_role("link", name=title)).to_be_visible()

    page.get_by_role("link", name=project.name, exact=True).first.click()
    page.get_by_role("link", name=review.title, exact=True).first.click()
    for title in TO_APPROVE:
        row = open_item(page, title)
        sign_off = row.get_by_role("button", name=f"Sign off {title}", exact=True)
        sign_off.click()
        expect(sign_off).to_have_count(0)
        expect(row.get_by_role("button", name="Revoke my approval")).to_be_visible()

    row = open_item(page, TO_REJECT)
    # Rejecting without saying why is refused in the row, and nothing is recorded.
    row.get_by_role("button", name=f"Reject {TO_REJECT}", exact=True).click()
    expect(row.get_by_role("alert")).to_contain_text("Say why you reject this item")
    assert not SignOff.objects.filter(item__title=TO_REJECT, decision="reject").exists()
    row.get_by_label(f"Sign-off comment for {TO_REJECT}").fill(REJECTION)
    row.get_by_role("button", name=f"Reject {TO_REJECT}", exact=True).click()
    expect(row.get_by_text(f"Rejected by Alice Approver: {REJECTION}")).to_be_visible()
    expect(row.get_by_role("cell").filter(has_text="Rejected").first).to_be_visible()

    # A role the approver does not hold: the details offer no sign-off.
    row = open_item(page, NOT_MINE)
    expect(row.get_by_role("button", name=f"Sign off {NOT_MINE}")).to_have_count(0)
    expect(row).to_contain_text("Awaiting Test lead")

    mine = SignOff.objects.filter(
        signer__email="approver@demo.example.com", item__review=review, superseded_at__isnull=True
    )
    approved = set(mine.filter(decision="approve").values_list("item__title", flat=True))
    assert approved >= set(TO_APPROVE)
    assert mine.get(decision="reject").comment == REJECTION

    page.get_by_role("link", name="Home").click()
    expect(
        page.get_by_role("region", name="Awaiting my sign-off").get_by_text(
            "Nothing waits for your sign-off."
        )
    ).to_be_visible()

    # The rejection stands in the gate; the approver votes.
    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Go / no-go").click()
    gate = page.get_by_role("region", name="Gate")
    expect(gate.get_by_role("heading", name="Rejected by a stakeholder (1)")).to_be_visible()
    expect(gate.get_by_role("link", name=TO_REJECT)).to_be_visible()
    page.get_by_label("Go", exact=True).check()
    page.get_by_label("Comment").fill("Go once the scope rejection is answered.")
    page.get_by_role("button", name="Vote", exact=True).click()

    expect(page.get_by_text("Your vote is recorded.")).to_be_visible()
    votes = page.get_by_role("region", name="Votes")
    expect(votes.get_by_role("listitem").filter(has_text="Alice Approver")).to_contain_text("Go")
    expect(votes).to_contain_text("Go 1 of 2 needed")
    expect(votes).to_contain_text("1 of 2 approvers voted")
    mine = Vote.objects.get(
        voter__email="approver@demo.example.com", decision__review=review, superseded_at=None
    )
    assert mine.choice == "go"
