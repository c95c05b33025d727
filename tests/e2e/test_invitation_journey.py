"""Project manager invites someone new; they accept from the e-mail, choose a password and
sign in; the link does not work twice."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import field, log_in

pytestmark = pytest.mark.e2e

NEWCOMER = "sam.security@example.com"
PASSWORD = "correct horse battery staple 42"


def _invitation_link(outbox):
    mails = [m for m in outbox if NEWCOMER in m.to]
    assert len(mails) == 1, f"expected one invitation to {NEWCOMER}, got {len(mails)}"
    url = re.search(r"https?://\S+/invitations/\S+", mails[0].body).group(0)
    return urlsplit(url).path  # the live server's address, not SITE_URL's


def test_project_manager_invites_a_newcomer_who_joins_and_signs_in(page_for, demo):
    from django.core import mail

    from projects.models import Membership

    project = demo["project"]
    manager = page_for("pm@demo.example.com")
    manager.get_by_role("link", name=project.name, exact=True).first.click()
    manager.get_by_role("link", name="Members").first.click()
    expect(manager.get_by_role("heading", name="Members", level=1)).to_be_visible()

    # A malformed address is refused in the page.
    invite = manager.get_by_role("region", name="Invite someone")
    invite.get_by_label("E-mail").fill("sam.security@")
    invite.get_by_role("button", name="Send the invitation").click()
    invite = manager.get_by_role("region", name="Invite someone")
    expect(invite.get_by_text("Enter a valid email address.")).to_be_visible()

    invite.get_by_label("E-mail").fill(NEWCOMER)
    invite.get_by_label("Role").select_option(label="Contributor")
    invite.get_by_label("Security lead").check()
    invite.get_by_role("button", name="Send the invitation").click()
    pending = manager.get_by_role("region", name="Pending invitations")
    expect(pending).to_contain_text(NEWCOMER)
    expect(pending).to_contain_text("signs off as Security lead")
    path = _invitation_link(mail.outbox)

    newcomer = page_for(None)
    newcomer.goto(path)
    expect(newcomer.get_by_role("heading", name=f"Join {project.name}")).to_be_visible()
    expect(newcomer.get_by_text("Paul Manager invites")).to_be_visible()
    newcomer.get_by_label(field("Your name")).fill("Sam Security")
    newcomer.get_by_label(field("Password")).fill(PASSWORD)
    newcomer.get_by_label(field("Password again")).fill(PASSWORD + " typo")
    newcomer.get_by_role("button", name="Create my account and join").click()
    expect(newcomer.get_by_text("The two passwords differ")).to_be_visible()
    newcomer.get_by_label(field("Password")).fill(PASSWORD)
    newcomer.get_by_label(field("Password again")).fill(PASSWORD)
    newcomer.get_by_role("button", name="Create my account and join").click()
    expect(newcomer.get_by_text(f"Welcome to {project.name}, Sam.")).to_be_visible()
    expect(newcomer.get_by_role("heading", name=project.name, level=1)).to_be_visible()
    membership = Membership.objects.get(project=project, user__email=NEWCOMER)
    assert (membership.role, membership.signoff_roles) == ("contributor", ["security_lead"])

    # Signed out, the newcomer signs in with the chosen password; the link is spent.
    newcomer.context.clear_cookies()
    newcomer.goto(path)
    expect(
        newcomer.get_by_role("heading", name="This invitation was already accepted")
    ).to_be_visible()
    log_in(newcomer, NEWCOMER, PASSWORD)
    expect(newcomer.get_by_role("link", name=project.name, exact=True).first).to_be_visible()

    manager.reload()
    pending = manager.get_by_role("region", name="Pending invitations")
    expect(pending).to_contain_text("No invitation is waiting for an answer.")
    member = manager.get_by_role("listitem").filter(has_text=NEWCOMER)
    expect(member).to_contain_text("Sam Security")
    expect(member).to_contain_text("Signs off as: Security lead")
    expect(manager.get_by_text("Nobody holds these stakeholder roles")).not_to_contain_text(
        "Security lead"
    )
