"""Facilitator: runs the workshop on the demo review with the keyboard, then records the decision."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RESPONSE = "Runbook owners named for all 212 steps; walked through in the workshop."
RISK_TITLE = "Cutover rehearsal slot clashes with month-end close"
ACTION = "Move the mock cutover to the weekend after month-end"


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


def test_facilitator_runs_the_workshop_with_the_keyboard_and_records_conditional_go(page_for, demo):
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

    # The go / no-go page: both approvers voted, the facilitator records a conditional go.
    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Go / no-go").click()
    expect(page.get_by_text("2 of 2 required votes cast")).to_be_visible()
    page.get_by_label("Conditional go").check()
    page.get_by_label("Rationale").fill("Ready once the warehouse roles are retested.")
    page.get_by_label(field("Condition")).first.fill(
        "Warehouse UAT rerun with per-persona roles passes"
    )
    condition_owner = page.get_by_label(field("Owner")).first
    condition_owner.select_option(label="Carla Contributor")
    due = timezone_today() + datetime.timedelta(days=10)
    page.get_by_label(field("Due date")).first.fill(due.isoformat())
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Decision: Conditional go")
    expect(page.get_by_text("Warehouse UAT rerun with per-persona roles passes")).to_be_visible()


def field(label):
    """A form field's label as crispy-forms renders it: the text, maybe a * for required."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def _user(email):
    from accounts.models import User

    return User.objects.get(email=email)


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
