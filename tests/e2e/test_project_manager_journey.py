"""Project manager: reassigns an overdue action, then gets the summary PDF to the approvers."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OVERDUE = "Agree a 36-hour fallback window with the finance and warehouse leads"
SUMMARY_BUTTON = re.compile(r"summary pdf|request (a )?summary", re.IGNORECASE)


def test_project_manager_reassigns_overdue_action_and_sends_the_summary(page_for, demo):
    from risks.models import MitigationAction

    review, project = demo["review"], demo["project"]
    page = page_for("pm@demo.example.com")

    page.get_by_role("link", name=project.name, exact=True).click()
    page.get_by_role("link", name="Actions by owner").first.click()
    expect(page.get_by_role("heading", name="Mitigation actions by owner")).to_be_visible()
    fiona = page.get_by_role("region", name=re.compile(r"^Fiona Facilitator"))
    expect(fiona).to_contain_text("overdue")
    fiona.get_by_label(OVERDUE).check()
    fiona.get_by_label("Reassign the ticked actions to").select_option(label="Carla Contributor")
    fiona.get_by_role("button", name="Reassign").click()

    expect(page.get_by_text("1 action now owned by Carla Contributor.")).to_be_visible()
    carla = page.get_by_role("region", name=re.compile(r"^Carla Contributor"))
    expect(carla.get_by_text(OVERDUE)).to_be_visible()
    expect(page.get_by_role("region", name=re.compile(r"^Fiona Facilitator"))).not_to_contain_text(
        OVERDUE
    )
    action = MitigationAction.objects.get(description=OVERDUE)
    assert action.owner.email == "contributor@demo.example.com"

    # The summary PDF.
    page.goto(review.get_absolute_url())
    page.get_by_role("link", name=SUMMARY_BUTTON).first.click()
    page.get_by_role("button", name="Request summary").click()
    # Rendered in the background; the page shows the progress, then the download link.
    expect(page.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download PDF")).first.click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    recipients = page.get_by_role("group", name=re.compile(r"^Recipients of the summary"))
    for name in ("Alice Approver", "Arjun Approver"):
        recipients.get_by_label(name).check()
    recipients.get_by_label("Paul Manager").uncheck()
    page.get_by_role("button", name="Send by e-mail").click()
    sent = page.get_by_text(re.compile(r"Sent .+ to Alice Approver, Arjun Approver\."))
    expect(sent).to_be_visible(timeout=60_000)

    from django.core import mail

    approvers = {"approver@demo.example.com", "approver2@demo.example.com"}
    summaries = [m for m in mail.outbox if any(a[0].endswith(".pdf") for a in m.attachments)]
    assert summaries, "no e-mail with the PDF attached"
    assert {address for m in summaries for address in [*m.to, *m.cc, *m.bcc]} == approvers
