"""Facilitator: runs the workshop with the keyboard, moves on without saving and loses nothing,
and cannot record a go over a gate that is not clear."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RESPONSE = "Runbook owners named for all 212 steps; walked through in the workshop."
RISK_TITLE = "Cutover rehearsal slot clashes with month-end close"
ACTION = "Move the mock cutover to the weekend after month-end"
FIRST_UNSAVED = "Typed in the workshop, then moved on without pressing Save."
SECOND_UNSAVED = "Also typed, then went back a step without saving."


def _approvers_have_voted(review):
    """The vote is open and both demo approvers voted go (the facilitator records the outcome)."""
    from accounts.models import User
    from decisions.services import decision_open, vote_cast

    facilitator = User.objects.get(email="facilitator@demo.example.com")
    decision = decision_open(review=review, acting_user=facilitator)
    for email in ("approver@demo.example.com", "approver2@demo.example.com"):
        voter = User.objects.get(email=email)
        vote_cast(decision=decision, acting_user=voter, choice="go", comment="Ready with the plan.")


def _tab_to(page, locator, limit=40):
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} never received the focus after {limit} Tab presses")


def test_facilitator_runs_the_workshop_with_the_keyboard_and_loses_nothing(page_for, demo):
    from reviews.models import ReviewItem
    from risks.models import Risk

    review, project = demo["review"], demo["project"]
    _approvers_have_voted(review)
    page = page_for("facilitator@demo.example.com")

    page.get_by_role("link", name=project.name, exact=True).first.click()
    page.get_by_role("link", name=review.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(review.title)
    page.get_by_role("link", name="Workshop mode").click()
    expect(page.get_by_role("heading", name="Workshop mode")).to_be_visible()
    page.wait_for_load_state()  # the shortcuts listen once the scripts have run

    # Keyboard only from here: next item, status 2 (in progress), r + response, Ctrl+Enter.
    position = page.get_by_text(re.compile(r"^Item \d+ of \d+$"))
    first_position = position.inner_text()
    page.keyboard.press("n")
    expect(position).not_to_have_text(first_position)
    question = page.locator("#workshop-item").get_by_role("heading", level=2)
    title = question.inner_text()
    page.keyboard.press("2")
    expect(page.get_by_role("radio", name="In progress")).to_be_checked()
    page.keyboard.press("r")
    expect(page.get_by_label("Response")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(RESPONSE)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    item = ReviewItem.objects.get(review=review, title=title)
    assert (item.status, item.response) == ("in_progress", RESPONSE)

    # Esc leaves the response field; a opens the quick add of a risk with its first action,
    # then Tab and typing fill it in.
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    form_title = page.get_by_label("Title")
    expect(form_title).to_be_visible()
    _tab_to(page, form_title)
    page.keyboard.type(RISK_TITLE)
    _tab_to(page, page.get_by_label("Likelihood"))
    page.keyboard.type("4")
    _tab_to(page, page.get_by_label("Impact"))
    page.keyboard.type("3")
    _tab_to(page, page.get_by_label("First action"))
    page.keyboard.type(ACTION)
    owner = page.get_by_label("Owner", exact=True)
    _tab_to(page, owner)
    page.keyboard.type("Carla")
    expect(owner).to_have_value(str(_user("contributor@demo.example.com").pk))
    _tab_to(page, page.get_by_role("button", name="Add finding"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("raised with its first action")).to_be_visible()

    risk = Risk.objects.get(project=project, title=RISK_TITLE)
    assert (risk.likelihood, risk.impact, risk.review_item_id) == (4, 3, item.pk)
    assert [a.owner.email for a in risk.actions.all()] == ["contributor@demo.example.com"]

    # Two more items edited and left without saving: moving on saves each (nothing lost).
    page.keyboard.press("n")
    expect(question).not_to_have_text(title)
    first_unsaved = question.inner_text()
    page.keyboard.press("r")
    page.keyboard.press("Control+a")
    page.keyboard.type(FIRST_UNSAVED)
    expect(page.locator("#save-state")).to_contain_text("Unsaved changes")
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(
        page.get_by_role("status").filter(has_text=f"Your changes to “{first_unsaved}”")
    ).to_be_visible()
    second_unsaved = question.inner_text()
    assert second_unsaved != first_unsaved
    page.get_by_label(re.compile(r"^Response")).fill(SECOND_UNSAVED)
    page.get_by_role("link", name="← Previous").click()
    expect(question).to_have_text(first_unsaved)
    expect(
        page.get_by_role("status").filter(has_text=f"Your changes to “{second_unsaved}”")
    ).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Response"))).to_have_value(FIRST_UNSAVED)
    saved = dict(
        ReviewItem.objects.filter(
            review=review, title__in=[first_unsaved, second_unsaved]
        ).values_list("title", "response")
    )
    assert saved == {first_unsaved: FIRST_UNSAVED, second_unsaved: SECOND_UNSAVED}

    # The gate is not clear, so the facilitator cannot record a go over it: no-go only.
    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Go / no-go").click()
    expect(page.get_by_text("2 of 2 approvers voted")).to_be_visible()
    expect(page.get_by_role("region", name="Gate")).to_contain_text("Not clear")
    expect(page.get_by_text("Only the project manager may record a go")).to_be_visible()
    page.get_by_role("link", name="Record the decision…").click()
    outcomes = page.get_by_role("radio")
    expect(outcomes).to_have_count(1)
    expect(outcomes).to_have_accessible_name("No-go")


def field(label):
    """A form field's label as crispy-forms renders it: the text, maybe a * for required."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def _user(email):
    from accounts.models import User

    return User.objects.get(email=email)


# Found by a full run under load: "a" pressed as a saved item came back followed the bare link
# (htmx binds new content only when it settles), so the quick add opened as a page of its own.
def test_a_shortcut_pressed_the_moment_an_item_arrives_stays_in_workshop_mode(page_for, demo):
    review = demo["review"]
    page = page_for("facilitator@demo.example.com")
    page.goto(f"{review.get_absolute_url()}workshop/")
    expect(page.get_by_role("heading", name="Workshop mode")).to_be_visible()
    page.wait_for_load_state()  # the shortcuts listen once the scripts have run
    # Press "a" inside the swap itself, before htmx has bound the new item's links.
    page.evaluate(
        """() => {
            const pressA = (event) => {
                if (event.detail.target.id !== "workshop-item") return;  // not the change poll
                document.body.removeEventListener("htmx:afterSwap", pressA);
                document.dispatchEvent(new KeyboardEvent("keydown", {key: "a", bubbles: true}));
            };
            document.body.addEventListener("htmx:afterSwap", pressA);
        }"""
    )
    page.keyboard.press("n")
    expect(page.get_by_role("button", name="Add finding")).to_be_visible()
    expect(page.get_by_role("heading", name="Workshop mode")).to_be_visible()
    assert "/workshop/" in page.url
