"""Cutover manager: starts a rehearsal of the demo plan and runs steps from the keyboard (the
rows swap in place and keep the focus), sees a late step, corrects a time with its reason in
the history, finishes the rehearsal and reads the drift in the report; the run sheet and the
report at 1280 and 390 pixels (screenshots under tests/e2e/screenshots/)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, field

pytestmark = pytest.mark.e2e


def _as_if_started_hours_ago(run, hours):
    """Time passes: move the run and what it recorded back (no waiting in a test)."""
    from cutover.models import CutoverRun, StepEvent

    back = datetime.timedelta(hours=hours)
    CutoverRun.objects.filter(pk=run.pk).update(started_at=run.started_at - back)
    for event in StepEvent.objects.filter(run=run):
        StepEvent.objects.filter(pk=event.pk).update(
            at=event.at - back, recorded_at=event.recorded_at - back
        )


def _row(page, number):
    return page.locator(f"#step-{number}")


def _shoot(page, name, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"rehearsal-{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} at {width}"


def test_cutover_manager_runs_a_rehearsal_from_the_keyboard(page_for, demo):
    from cutover.models import CutoverRun, StepEvent

    project = demo["project"]
    page = page_for("facilitator@demo.example.com", viewport={"width": 1280, "height": 900})
    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Cutover plan").click()
    page.get_by_role("link", name="Rehearsals").click()
    # The demo's two rehearsals: the first overran, the second fits.
    expect(page.locator("#trend-table")).to_contain_text("overruns by 3 h 20 min")
    page.get_by_role("button", name="Start a rehearsal of version 1").click()
    expect(page.get_by_text("Rehearsal 3 of version 1 started.")).to_be_visible()
    run = CutoverRun.objects.get(plan__project=project, number=3)

    # Step 1 has the focus; s starts it, d marks it done, and step 2 turns ready in place.
    expect(_row(page, 1)).to_have_class(re.compile("run-focus"))
    page.keyboard.press("s")
    expect(_row(page, 1).locator(".status-badge")).to_have_text("Running")
    expect(_row(page, 1)).to_be_focused()
    page.keyboard.press("d")
    expect(_row(page, 1).locator(".status-badge")).to_have_text("Done")
    expect(_row(page, 2).locator(".status-badge")).to_have_text("Ready")
    # j moves to step 2; n opens its note, Esc goes back to the row, s starts it with the note.
    page.keyboard.press("j")
    expect(_row(page, 2)).to_be_focused()
    page.keyboard.press("n")
    page.keyboard.type("Steering")
    # A swap settling while the note is typed (step 2 turning ready can settle late) leaves
    # the focus in the note: no keystroke goes to the row's shortcuts.
    page.evaluate("document.dispatchEvent(new CustomEvent('htmx:afterSettle'))")
    expect(_row(page, 2).locator(".run-note")).to_be_focused()
    page.keyboard.type(" committee joined late")
    page.keyboard.press("Escape")
    expect(_row(page, 2)).to_be_focused()
    page.keyboard.press("s")
    expect(_row(page, 2).locator(".status-badge")).to_have_text("Running")
    assert StepEvent.objects.get(run=run, step__number=2).note == "Steering committee joined late"

    # Three hours later step 2 (30 minutes planned) still runs: it shows late.
    _as_if_started_hours_ago(run, 3)
    page.reload()
    expect(_row(page, 2).get_by_text("late", exact=True)).to_be_visible()
    expect(page.locator("#late-count")).to_contain_text("1 late")
    expect(_row(page, 2)).to_be_focused()  # the first step still to be done
    _shoot(page, "run-sheet", 1280)
    _shoot(page, "run-sheet", 390)
    page.set_viewport_size({"width": 1280, "height": 900})
    _row(page, 2).focus()
    page.keyboard.press("d")
    expect(_row(page, 2).locator(".status-badge")).to_have_text("Done")
    expect(_row(page, 2)).to_contain_text("drift +2 h 30 min")

    # Step 1 really started ten minutes earlier than pressed: a correction, with its reason.
    started = StepEvent.objects.get(run=run, step__number=1, kind="started")
    earlier = started.at.astimezone(run.plan_version.tz) - datetime.timedelta(minutes=10)
    _row(page, 1).locator("summary").click()
    _row(page, 1).get_by_role("link", name="correct").first.click()
    page.get_by_label(field("When it really happened")).fill(earlier.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(field("Why the time changes")).fill("Started before the bridge call")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Step 1: the started time is corrected")).to_be_visible()
    _row(page, 1).locator("summary").click()
    history = _row(page, 1).locator(".run-history")
    expect(history).to_contain_text("Started before the bridge call")
    expect(history.locator("s")).to_have_text(
        started.at.astimezone(run.plan_version.tz).strftime("%a %H:%M")
    )

    # Finish: the report puts step 2's drift first.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish the rehearsal").click()
    expect(page.get_by_role("heading", name=re.compile("Report of Rehearsal 3"))).to_be_visible()
    first = page.locator("#drift-table tbody tr").first
    expect(first).to_contain_text("Confirm the entry criteria")
    expect(first).to_contain_text("+2 h 30 min")
    expect(page.locator("#trend-table tbody tr")).to_have_count(3)
    _shoot(page, "report", 1280)
    _shoot(page, "report", 390)
