"""A project manager turns on two-step sign-in on the profile page with the key an
authenticator app would read from the QR code, keeps the recovery codes, and logs in again:
the password alone is not enough; a recovery code works once; the app's code works."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
EMAIL = "pm@demo.example.com"


def app_code(key, *, steps_ahead=0):
    """The six digits an authenticator app shows for ``key`` (django-otp accepts the next
    30-second step too, and never the same step twice)."""
    secret = base64.b32decode(key)
    return f"{totp(secret, t0=0, step=30, digits=6, drift=steps_ahead):06d}"


def log_out(page):
    page.get_by_role("button", name="Paul Manager").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def password_step(page):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()


def test_two_step_sign_in_set_up_and_used(page_for, demo):
    page = page_for(EMAIL)
    page.goto("/profile/")
    expect(page.locator("#two-step-state")).to_have_text("Off")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    key = page.locator("#two-step ~ section code").first.inner_text().strip()

    page.get_by_role("textbox", name="Code").fill(
        "000000" if app_code(key) != "000000" else "111111"
    )
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("#two-step-state")).to_have_text("Set up: scan, then confirm")
    expect(page.get_by_text("That code is not right")).to_be_visible()

    page.get_by_role("textbox", name="Code").fill(app_code(key))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("#two-step-state")).to_have_text("On")
    codes = page.get_by_role("status").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"\w{4}-\w{4}-\w{4}", code) for code in codes)
    page.reload()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()
    assert codes[0] not in page.content()  # shown only that once

    # The password alone is not a log-in any more; a recovery code finishes it, once.
    log_out(page)
    password_step(page)
    page.goto("/my-actions/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    password_step(page)
    page.get_by_role("textbox", name="Code").fill(codes[0].upper().replace("-", " "))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Paul Manager")).to_be_visible()

    log_out(page)
    password_step(page)
    page.get_by_role("textbox", name="Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()

    # The app's next code logs in (the one used to confirm is spent).
    page.get_by_role("textbox", name="Code").fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Paul Manager")).to_be_visible()
    page.goto("/profile/")
    expect(page.get_by_text("Recovery codes left: 9")).to_be_visible()
