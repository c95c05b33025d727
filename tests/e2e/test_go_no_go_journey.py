"""Project manager: records a conditional go over a gate that is not clear, as an override
with its reason and a confirmation of each thing overridden; everyone sees it as one."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RATIONALE = "The business accepts go-live with the warehouse roles retested in the first week."
OVERRIDE = "Steering accepted the open items in writing on Monday; the date holds."
CONDITION = "Warehouse UAT rerun with per-persona roles passes"


def _approvers_have_voted(review):
    from accounts.models import User
    from decisions.services import decision_open, vote_cast

    decision = decision_open(
        review=review, acting_user=User.objects.get(email="pm@demo.example.com")
    )
    for email in ("approver@demo.example.com", "approver2@demo.example.com"):
        voter = User.objects.get(email=email)
        vote_cast(decision=decision, acting_user=voter, choice="go", comment="Ready with the plan.")


def field(label):
    """A form field's label as crispy-forms renders it: the text, maybe a * for required."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def test_project_manager_overrides_the_gate_with_a_reason(page_for, demo):
    from django.utils import timezone

    from decisions.models import Decision

    review, project = demo["review"], demo["project"]
    _approvers_have_voted(review)
    page = page_for("pm@demo.example.com")

    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Go / no-go").click()
    expect(page.get_by_text("Go 2 of 2 needed")).to_be_visible()
    expect(page.get_by_text("A go or conditional go recorded now is an override")).to_be_visible()
    page.get_by_role("link", name="Record the decision…").click()
    page.get_by_role("radio", name="Conditional go").check()
    page.get_by_label(field("Why")).fill(RATIONALE)
    page.get_by_label(field("Condition")).first.fill(CONDITION)
    page.get_by_label(field("Owner")).first.select_option(label="Carla Contributor")
    due = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label(field("Due date")).first.fill(due.isoformat())

    # Without the reason and the confirmation the go is refused, and the form keeps its text.
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Say why the go stands against")).to_be_visible()
    expect(page.get_by_text("Confirm that you record a go against")).to_be_visible()
    expect(page.get_by_label(field("Why"))).to_have_value(RATIONALE)
    assert not Decision.objects.filter(review=review, status="recorded").exists()

    override = page.get_by_role("group", name="Override (go or conditional go only)")
    override.get_by_label(field("Why a go stands anyway (override)")).fill(OVERRIDE)
    confirmations = override.get_by_role("checkbox")
    assert confirmations.count() >= 1
    for index in range(confirmations.count()):
        confirmations.nth(index).check()
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Decision: Conditional go")
    notice = page.get_by_role("status").filter(has_text="Override.")
    expect(notice).to_contain_text("recorded against")
    expect(notice).to_contain_text(f"by Paul Manager: {OVERRIDE}")
    expect(page.get_by_text(CONDITION)).to_be_visible()
    decision = Decision.objects.get(review=review, status="recorded")
    assert (decision.outcome, decision.override_reason) == ("conditional_go", OVERRIDE)
    assert decision.snapshot["override"]["reason"] == OVERRIDE

    # The project page says so to everyone, a viewer included.
    viewer = page_for("viewer@demo.example.com")
    viewer.goto(project.get_absolute_url())
    expect(viewer.get_by_text("override", exact=True).first).to_be_visible()
    expect(viewer.get_by_text(f"by Paul Manager: {OVERRIDE}")).to_be_visible()
