"""Approver: sees what awaits their sign-off, signs off two items, rejects one, votes."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TO_APPROVE = ["End-to-end testing completed", "Testers use their real security roles"]
TO_REJECT = "Several full dry runs executed"
REJECTION = "Dry run 4 must fit inside the 24-hour window."


def _team_answered_another_item(review):
    """The contributor finished a second item since the demo was seeded."""
    from accounts.models import User
    from reviews.services.items import review_item_update

    item = review.items.get(title=TO_APPROVE[1])
    review_item_update(
        item=item,
        acting_user=User.objects.get(email="contributor@demo.example.com"),
        version=item.version,
        status="done",
        response="Every warehouse persona retested with its production role.",
    )


def _vote_is_open(review):
    from accounts.models import User
    from decisions.services import decision_open

    decision_open(review=review, acting_user=User.objects.get(email="facilitator@demo.example.com"))


def test_approver_signs_off_rejects_and_votes(page_for, demo):
    from decisions.models import Vote
    from reviews.models import SignOff

    review, project = demo["review"], demo["project"]
    _team_answered_another_item(review)
    _vote_is_open(review)
    page = page_for("approver@demo.example.com")

    awaiting = page.get_by_role("region", name="Awaiting my sign-off")
    expect(awaiting.get_by_role("heading")).to_contain_text("Awaiting my sign-off")
    for title in TO_APPROVE:
        expect(awaiting.get_by_role("link", name=title)).to_be_visible()

    page.get_by_role("link", name=project.name, exact=True).click()
    page.get_by_role("link", name=review.title, exact=True).click()
    for title in TO_APPROVE:
        sign_off = page.get_by_role("button", name=f"Sign off {title}", exact=True)
        sign_off.click()
        expect(sign_off).to_have_count(0)
    page.get_by_label(f"Sign-off comment for {TO_REJECT}").fill(REJECTION)
    page.get_by_role("button", name=f"Reject {TO_REJECT}", exact=True).click()
    expect(page.get_by_text(f"Rejected by Alice Approver: {REJECTION}")).to_be_visible()

    mine = SignOff.objects.filter(signer__email="approver@demo.example.com", item__review=review)
    assert set(mine.filter(decision="approve").values_list("item__title", flat=True)) >= set(
        TO_APPROVE
    )
    assert mine.get(decision="reject").comment == REJECTION

    page.get_by_role("link", name="Home").click()
    expect(
        page.get_by_role("region", name="Awaiting my sign-off").get_by_text(
            "Nothing waits for your sign-off."
        )
    ).to_be_visible()

    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Go / no-go").click()
    page.get_by_label("Go", exact=True).check()
    page.get_by_label("Comment").fill("Go, with the dry-run fix tracked as a condition.")
    page.get_by_role("button", name="Vote", exact=True).click()

    expect(page.get_by_text("Your vote is recorded.")).to_be_visible()
    votes = page.get_by_role("region", name="Votes")
    expect(votes.get_by_role("listitem").filter(has_text="Alice Approver")).to_contain_text("Go")
    expect(votes).to_contain_text("1 of 2 required votes cast")
    mine = Vote.objects.get(voter__email="approver@demo.example.com", decision__review=review)
    assert mine.choice == "go"
