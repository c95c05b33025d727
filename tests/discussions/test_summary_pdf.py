"""The summary PDF's chapter of open questions, read back from the PDF."""

import io
import re

from pypdf import PdfReader

from discussions.services import thread_ask, thread_resolve
from projects.models import Role
from summaries.pdf import render_summary, summary_context

F, C, A = Role.FACILITATOR, Role.CONTRIBUTOR, Role.APPROVER


def pdf_text(review):
    data, _ = render_summary(review)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return re.sub(r"\s+", " ", " ".join(pages))


def chapter(text):
    start = text.rindex("Open questions")
    return text[start - 3 :]


def test_the_pdf_says_no_open_questions_when_none(review_item, members):
    text = pdf_text(review_item.review)
    assert re.search(r"\d+\. Open questions No open questions\.", text)


def test_the_pdf_lists_open_questions_per_area_with_who_asked_when_and_about_what(
    project, members, review_item, item_subject_of, finding
):
    review = review_item.review
    other_area_item = review.items.exclude(section=review_item.section).first()
    first = item_subject_of(review_item, members[C])
    second = item_subject_of(other_area_item, members[C])
    thread_ask(subject=first, acting_user=members[C], body="Which UAT set counts?")
    resolved = thread_ask(subject=first, acting_user=members[C], body="Already answered?")
    thread_resolve(thread=resolved, acting_user=members[F])
    asked = thread_ask(subject=second, acting_user=members[A], body="Who signs this?")
    thread_ask(subject=finding, acting_user=members[C], body="Is the workaround tested?")

    context = summary_context(review)
    areas = [area for area, _ in context["open_questions"]]
    assert areas == [review_item.section.title, other_area_item.section.title, "Other"]

    text = chapter(pdf_text(review))
    assert "Already answered?" not in text
    assert text.index(review_item.section.title) < text.index("Which UAT set counts?")
    assert text.index("Which UAT set counts?") < text.index(other_area_item.section.title)
    assert text.index(other_area_item.section.title) < text.index("Who signs this?")
    assert text.index("Other") < text.index("Is the workaround tested?")
    assert (
        f"Asked by {members[A]}, {asked.created_at:%-d %b %Y}, on checklist item "
        f"“{other_area_item.title}” · not answered yet"
    ) in text
    assert f"on finding “{finding.label}”" in text
