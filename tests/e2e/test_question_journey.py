"""A contributor asks a question on an item and mentions the facilitator; the facilitator
sees the bell, answers on the projector in workshop mode (typing does not fire the
workshop's shortcuts) and resolves it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ITEM = "Testers use their real security roles"
QUESTION = "@facilitator do the warehouse personas need their own printer rights too?"
# Full of the workshop's shortcut keys (n, p, r, o, a, b, c, m, q, 1-6): none may fire.
ANSWER = "Yes: map printer rights per persona, then rerun scenarios 1 to 6 and compare."


def test_a_question_asked_on_an_item_is_answered_in_workshop_mode(page_for, demo):
    from discussions.models import Thread
    from notifications.models import Notification
    from reviews.models import ReviewItem

    review = demo["review"]
    item = ReviewItem.objects.get(review=review, title=ITEM)

    contributor = page_for("contributor@demo.example.com")
    contributor.goto(item.get_absolute_url())
    panel = contributor.locator(f"#questions-item-{item.pk}")
    expect(panel).to_contain_text("No questions yet.")
    panel.get_by_label("Ask a question").fill(QUESTION)
    panel.get_by_role("button", name="Ask", exact=True).click()
    panel = contributor.locator(f"#questions-item-{item.pk}")
    expect(panel.get_by_role("status")).to_have_text("Question asked.")
    expect(panel.locator(".mention")).to_have_text("@facilitator")
    thread = Thread.objects.get(subject_kind="item", subject_id=item.pk)

    facilitator = page_for("facilitator@demo.example.com")
    unread = Notification.objects.filter(
        recipient__email="facilitator@demo.example.com", read_at__isnull=True
    )
    assert unread.filter(key__startswith="mention:", url__contains=f"/items/{item.pk}/").exists()
    bell = facilitator.locator("#bell")
    expect(bell).to_have_attribute("title", f"Notifications: {unread.count()} unread")
    expect(bell.locator(".badge")).to_contain_text(str(unread.count()))

    facilitator.get_by_role("link", name=demo["project"].name, exact=True).first.click()
    facilitator.get_by_role("link", name=review.title, exact=True).first.click()
    row = facilitator.locator(f"#item-{item.pk}")
    expect(row.get_by_role("link", name="1 open question")).to_be_visible()
    facilitator.get_by_role("link", name="Workshop mode").click()
    expect(facilitator.locator("#workshop-item")).to_be_visible()
    facilitator.goto(f"{facilitator.url.split('?')[0]}?item={item.pk}")
    questions = facilitator.locator(".questions-workshop")
    expect(questions).to_contain_text("do the warehouse personas need their own printer rights")
    expect(facilitator.locator("#workshop-question-count")).to_be_visible()

    facilitator.keyboard.press("q")  # the answer box of the first open question
    answer_box = facilitator.locator(f"#reply-{thread.pk}")
    expect(answer_box).to_be_focused()
    facilitator.keyboard.type(ANSWER)
    expect(answer_box).to_have_value(ANSWER)
    assert f"item={item.pk}" in facilitator.url  # "n" and "p" did not move on
    facilitator.keyboard.press("Control+Enter")
    questions = facilitator.locator(".questions-workshop")
    expect(questions.get_by_role("status")).to_have_text("Answer added.")
    expect(questions).to_contain_text(ANSWER)
    assert f"item={item.pk}" in facilitator.url

    questions.get_by_role("button", name="Resolve").click()
    questions = facilitator.locator(".questions-workshop")
    expect(questions.get_by_role("status")).to_have_text("Resolved.")
    expect(questions).to_contain_text(re.compile(r"Resolved by Fiona Facilitator"))
    thread.refresh_from_db()
    assert not thread.is_open
    assert thread.resolved_by.email == "facilitator@demo.example.com"
    assert [c.body for c in thread.comments.all()] == [QUESTION, ANSWER]

    # The shortcuts still work once the answer is sent: → moves on.
    facilitator.locator("body").click(position={"x": 5, "y": 5})
    facilitator.keyboard.press("ArrowRight")
    expect(facilitator).not_to_have_url(re.compile(rf"item={item.pk}$"))


def test_typing_at_offers_the_members_to_mention(page_for, demo):
    from reviews.models import ReviewItem

    item = ReviewItem.objects.get(review=demo["review"], title=ITEM)
    contributor = page_for("contributor@demo.example.com")
    contributor.goto(item.get_absolute_url())
    box = contributor.locator(f"#questions-item-{item.pk}").get_by_label("Ask a question")
    box.click()
    box.press_sequentially("Can @fa")
    offered = contributor.get_by_role("listbox", name="Members to mention")
    expect(offered.get_by_role("option")).to_have_count(1)
    expect(offered.get_by_role("option")).to_contain_text("@facilitator")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Enter")  # takes the offer; the question is not sent
    expect(offered).to_have_count(0)
    box.press_sequentially("check this, or @")
    expect(offered.get_by_role("option").first).to_be_visible()
    box.press("Escape")  # closes the offer and leaves what was typed
    expect(offered).to_have_count(0)
    expect(box).to_have_value("Can @facilitator check this, or @")
    expect(box).to_be_focused()
