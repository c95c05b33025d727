"""Browser journeys: Playwright (sync API) driving Debian's Chromium against ``live_server``.

Chromium is not downloaded by Playwright here; the tests launch the system one. Without
it they skip with a reason, except when REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DEMO_PASSWORD = "readiness-demo"  # projects.demo.DEMO_PASSWORD
# Generous for a 2-core machine running the server and the browser side by side.
TIMEOUT_MS = 15_000


def _need_chromium():
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"Chromium not found at {CHROMIUM} (apt-get install chromium); browser journeys skipped"
    )
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all journeys of this package; each person gets their own context."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
    # a thread with a running loop unless told it is deliberate (the calls stay synchronous).
    # Only while the browser runs: child processes of later tests (check --deploy) must not
    # inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(transactional_db):
    """The demo data of ``manage.py seed_demo``, as the demo site shows it."""
    from django.core.management import call_command

    from projects.demo import DEMO_PROJECT_NAME
    from projects.models import Project
    from reviews.demo import CURRENT_REVIEW_TITLE
    from reviews.models import Review

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    return {
        "project": project,
        "review": Review.objects.get(project=project, title=CURRENT_REVIEW_TITLE),
        "other": Project.objects.get(name="Fabrikam Customer Service roll-out"),
    }


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def page_for(browser, live_server, demo, request):
    """``page_for(email)``: a new browser context for that person, logged in via the form
    (``page_for(None)``: someone not signed in).

    When the test ends, every page it opened is saved as a screenshot under
    tests/e2e/screenshots/ (the journey's last page, also when it failed).
    """
    contexts = []

    def open_page(email, *, password=DEMO_PASSWORD, viewport=None):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1366, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
            # Bootstrap drops its transitions then: no page is seen (or checked) mid-fade.
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        contexts.append((email or "anonymous", context, page))
        if email:
            log_in(page, email, password)
        return page

    yield open_page

    SCREENSHOTS.mkdir(exist_ok=True)
    for number, (email, context, page) in enumerate(contexts, start=1):
        name = f"{_safe(request.node.name)}-{number}-{_safe(email.split('@')[0])}.png"
        try:
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        finally:
            context.close()


def log_in(page, email, password=DEMO_PASSWORD):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def open_item(page, title):
    """Open an item's details in place on the review page (its title is the row's link)."""
    from playwright.sync_api import expect

    page.locator("#checklist").get_by_role("link", name=title, exact=True).click()
    close = page.get_by_role("link", name=f"Close {title}", exact=True)
    expect(close).to_be_visible()
    return page.locator("tbody.item").filter(has=close)


def field(label):
    """A form field's label as crispy-forms renders it: the text, maybe a * for required."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")
