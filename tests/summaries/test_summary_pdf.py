"""What the summary PDF says: the executive summary, grouped lists, names, logo, confidentiality.

Each test renders the real PDF with WeasyPrint and reads it back with pypdf, as a reader
of the file would.
"""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from decisions.models import Decision, DecisionCondition, Vote
from projects.models import Role
from reviews.models import ReviewItem, ReviewSection, SignOff
from summaries.pdf import render_summary, summary_context, summary_html
from tests.factories import (
    MembershipFactory,
    MitigationActionFactory,
    ProjectFactory,
    RiskFactory,
    UserFactory,
    make_review,
    make_template,
)

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip


def pdf_pages(review):
    """The text of each page of the review's summary PDF (lines joined), and the reader."""
    data, pages = render_summary(review)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages], reader


def squeezed(text):
    """Text without any white space: a name wrapped over two lines still reads whole."""
    return re.sub(r"\s+", "", text)


def png_bytes(size=(300, 90), color=(0, 120, 212), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format)
    return buffer.getvalue()


def items_by_title(review):
    return {item.title: item for item in review.items.all()}


def set_status(item, status, **fields):
    ReviewItem.objects.filter(pk=item.pk).update(status=status, **fields)


@pytest.fixture
def reviews(project, members):
    """A previous review and the current one, 3 areas of 4 items (x.0 mandatory; blockers in
    the current review)."""
    template = make_template(sections=3, items_per_section=4)
    previous = make_review(
        project, template=template, acting_user=members[F], title="Early readiness check"
    )
    before = items_by_title(previous)
    for title in ("Item 0.1", "Item 0.2", "Item 1.1"):
        set_status(before[title], "done")
    current = make_review(
        project, template=template, acting_user=members[F], title="Go-live readiness review"
    )
    current.items.filter(mandatory=True).update(is_blocker=True)  # Item 0.0, 1.0, 2.0
    now = items_by_title(current)
    for title in ("Item 0.1", "Item 1.1", "Item 1.2", "Item 2.1"):  # 1.2 and 2.1 moved forward
        set_status(now[title], "done")
    set_status(now["Item 0.2"], "in_progress")  # moved back from done
    # Item 0.1 is signed by the business owner (the approver signs any role); 1.1, 1.2 and
    # 2.1 are done but still wait for it.
    SignOff.objects.create(item=now["Item 0.1"], signer=members[A], decision="approve",
                           item_version=1)  # fmt: skip
    return previous, current


def add_risks(project, members, scores):
    """One rated risk per score, titled by it, each with an action owned by the contributor."""
    risks = []
    for likelihood, impact in scores:
        risk = RiskFactory(project=project, raised_by=members[F], likelihood=likelihood,
                           impact=impact, title=f"Risk scored {likelihood * impact}")  # fmt: skip
        MitigationActionFactory(risk=risk, owner=members[C],
                                description=f"Act on risk {likelihood * impact}")  # fmt: skip
        risks.append(risk)
    return risks


# --- The executive summary -------------------------------------------------------------------


def test_executive_summary_is_the_page_after_the_cover_with_the_sponsors_facts(
    project, members, reviews
):
    _, review = reviews
    add_risks(project, members, [(5, 5), (4, 5), (4, 4), (3, 5), (3, 4), (1, 2)])
    decision = Decision.objects.create(
        review=review, opened_by=members[F], status="recorded", outcome="conditional_go",
        rationale="Ready once the data load has been rehearsed end to end.",
        recorded_by=members[PM], recorded_at=timezone.now(), snapshot={},
    )  # fmt: skip
    DecisionCondition.objects.create(
        decision=decision, description="Rehearse the data load in the cutover window",
        owner=members[C], due_date=timezone.localdate() + datetime.timedelta(days=9),
    )  # fmt: skip
    pages, _ = pdf_pages(review)
    cover, summary, following = pages[0], pages[1], pages[2]
    assert "Executive summary" not in cover
    assert "Executive summary" in summary
    # State and score, with the trend against the previous review.
    assert "Not ready · 8% of the 12 applicable items are complete and signed off" in summary
    assert "Trend since the previous review" in summary
    assert "Early readiness check" in summary
    assert "3 items moved: 2 forward (2 now done), 1 back." in summary
    assert "Moved back: Item 0.2 (Done → In progress)" in summary
    # The decision, with its rationale and its open condition as an ask.
    assert "Conditional go, recorded" in summary
    assert "by Project Manager Person" in summary
    assert "Ready once the data load has been rehearsed end to end." in summary
    assert "Meet the conditions of the go: Rehearse the data load in the cutover window" in summary
    # Top five risks by score, highest first; the sixth is not on the page.
    scores = [int(n) for n in re.findall(r"Risk scored (\d+)", summary)]
    assert scores == [25, 20, 16, 15, 12]
    assert "Risk scored 2 " not in summary
    # What we need: sign-offs awaited, with who can give them.
    assert "What we need from you" in summary
    assert "Sign off 3 finished items: Approver Person (3)." in summary
    assert "Clear or accept 3 open go-live blockers" in summary
    # One page: the next page starts the chapters.
    assert "1. Readiness by area" in following
    assert "What we need from you" not in following


def test_executive_summary_asks_for_the_missing_votes(project, members, reviews):
    _, review = reviews
    second = UserFactory(full_name="Second Approver")
    MembershipFactory(project=project, user=second, role=Role.APPROVER)
    decision = Decision.objects.create(review=review, opened_by=members[F])
    Vote.objects.create(decision=decision, voter=second, choice="go")
    summary = pdf_pages(review)[0][1]
    assert "Open for votes" in summary
    assert "Vote on the go / no-go: 1 go vote of 2 needed; waiting for Approver Person." in summary


def test_executive_summary_of_a_first_review_says_the_trend_starts_later(project, members):
    review = make_review(project, acting_user=members[F])
    summary = pdf_pages(review)[0][1]
    assert "This is the project's first review" in summary
    assert "No go / no-go decision has been opened" in summary
    assert "Open the go / no-go decision" in summary


def test_an_override_is_shown_as_such_with_what_it_overrode_who_and_why(project, members, reviews):
    _, review = reviews
    Decision.objects.create(
        review=review, opened_by=members[F], status="recorded", outcome="go",
        rationale="The business accepts the open items.", recorded_by=members[PM],
        recorded_at=timezone.now(), snapshot={},
        overridden=["a not ready gate: 3 go-live blockers, 3 mandatory items not done and signed",
                    "votes that do not meet the rule: 0 go of 1 needed (0 no-go, 0 abstain)"],
        override_reason="Year-end close cannot move; hypercare covers the gaps.",
    )  # fmt: skip
    pages, _ = pdf_pages(review)
    expected = squeezed(
        "Override. Go, recorded against a not ready gate: 3 go-live blockers, 3 mandatory items "
        "not done and signed; and against votes that do not meet the rule: 0 go of 1 needed "
        "(0 no-go, 0 abstain) by Project Manager Person: Year-end close cannot move; hypercare "
        "covers the gaps."
    )
    assert expected in squeezed(pages[1])  # the executive summary
    decision_page = next(page for page in pages if "2. Go / no-go decision" in page)
    assert expected in squeezed(decision_page)
    assert "Go, recorded as an override" in pages[0]  # the cover's decision line


def test_a_decision_that_is_not_an_override_does_not_say_so(project, members, reviews):
    _, review = reviews
    Decision.objects.create(
        review=review, opened_by=members[F], status="recorded", outcome="no_go",
        what_must_change="Finish the data migration rehearsal.", recorded_by=members[PM],
        recorded_at=timezone.now(), snapshot={"score": {"state": "not_ready"}},
    )  # fmt: skip
    text = " ".join(pdf_pages(review)[0])
    assert "No-go, recorded" in text
    assert "recorded against" not in text


# --- Long lists ---------------------------------------------------------------------------------


def test_not_started_items_are_grouped_by_area_with_counts_not_rows(project, members):
    template = make_template(sections=2, items_per_section=6)
    review = make_review(project, template=template, acting_user=members[F])
    review.items.filter(mandatory=True).update(is_blocker=True)  # Item 0.0 and 1.0
    items = items_by_title(review)
    set_status(items["Item 1.3"], "done", response="Signed off in the workshop.")
    pages, _ = pdf_pages(review)
    text = " ".join(pages)
    # The appendix names the untouched items of an area in one paragraph, with a count.
    assert "Not started, no response yet (6): Item 0.0 (blocker) · Item 0.1 · Item 0.2" in text
    assert "Not started, no response yet (5): Item 1.0 (blocker) · Item 1.1" in text
    assert "No response recorded" not in text
    # The blockers nobody has started: by area, with a count per area.
    assert "Checklist blockers nobody has started, by area (2 items in 2 areas)" in text
    assert re.search(r"Area 0\s*1\s*Item 0\.0", text)
    # The sign-off chapter counts the items not done instead of a row of dashes each.
    assert "6 items not done yet, so not up for sign-off: 6 not started." in text
    assert "And 5 items not done yet, so not up for sign-off: 5 not started." in text


def test_long_names_are_never_cut(project, members):
    long_project = (
        "Contoso Worldwide Finance, Supply Chain and Customer Engagement Transformation "
        "Programme Wave Three Go-live for the Northern European Legal Entities"
    )
    project.name = long_project
    project.save()
    owner = UserFactory(
        full_name="Maximiliana Alexandrina Konstantinopoulou-Featherstonehaugh-Vanderbilt"
    )
    MembershipFactory(project=project, user=owner, role=Role.CONTRIBUTOR)
    review = make_review(project, acting_user=members[F])
    long_item = (
        "Every interface between the finance system, the warehouse management system and the "
        "three payment providers has been tested end to end with production volumes"
    )
    item = review.items.order_by("section__order", "order").first()
    ReviewItem.objects.filter(pk=item.pk).update(title=long_item, owner=owner,
                                                 status="in_progress")  # fmt: skip
    long_area = "Data migration readiness, reconciliation and validation of opening balances"
    ReviewSection.objects.filter(pk=item.section_id).update(title=long_area)
    long_risk = (
        "The month-end close of the legal entities in the Nordics cannot start before the "
        "bank statement import of all three banks has been reconciled by the treasury team"
    )
    risk = RiskFactory(project=project, raised_by=members[F], title=long_risk, likelihood=5,
                       impact=5, is_blocker=True)  # fmt: skip
    MitigationActionFactory(risk=risk, owner=owner, description="Reconcile the bank imports")
    pages, _ = pdf_pages(review)
    text = squeezed(" ".join(pages))
    for name in (long_project, owner.full_name, long_item, long_risk, long_area):
        assert squeezed(name) in text, name
    assert "…" not in text
    assert "..." not in text


# --- Page furniture: confidentiality line and logo ---------------------------------------


def test_confidentiality_line_is_on_every_page(project, members, reviews):
    _, review = reviews
    project.confidentiality_note = "Confidential: Contoso and partner staff only"
    project.save()
    add_risks(project, members, [(4, 4)] * 3)
    pages, _ = pdf_pages(review)
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert "Confidential: Contoso and partner staff only" in page, f"page {number}"


def test_without_a_confidentiality_note_no_line_is_printed(project, members, reviews):
    _, review = reviews
    html = summary_html(review)
    assert 'class="cover-confidential"' not in html


def test_the_logo_is_embedded_on_the_cover_from_storage(project, members, reviews):
    _, review = reviews
    project.logo.save("contoso.png", ContentFile(png_bytes()), save=True)
    html = summary_html(review)
    assert 'src="data:image/png;base64,' in html  # embedded: the fetcher reads no media
    assert project.logo.url not in html
    _, reader = pdf_pages(review)
    cover_images = reader.pages[0].images
    assert len(cover_images) == 1
    assert cover_images[0].image.size == (300, 90)


def test_a_logo_gone_from_storage_leaves_the_summary_without_it(project, members, reviews):
    _, review = reviews
    project.logo.save("contoso.png", ContentFile(png_bytes()), save=True)
    project.logo.storage.delete(project.logo.name)
    pages, reader = pdf_pages(review)
    assert len(reader.pages[0].images) == 0
    assert project.name in pages[0]


def test_a_stored_logo_that_is_not_png_or_jpeg_is_left_out(project, members, reviews):
    _, review = reviews
    project.logo.save("contoso.png", ContentFile(png_bytes(image_format="GIF")), save=True)
    assert summary_context(review)["logo"] is None


# --- Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
def test_summary_context_queries_stay_flat_with_a_previous_review_and_a_decision(
    project, members, size, django_assert_max_num_queries
):
    template = make_template(sections=2 * size, items_per_section=3 * size, key=f"flat{size}")
    make_review(project, template=template, acting_user=members[F], title="Before")
    review = make_review(project, template=template, acting_user=members[F], title="Now")
    for item in review.items.all()[: 2 * size]:
        set_status(item, "done")
    project.logo.save("logo.png", ContentFile(png_bytes()), save=True)
    decision = Decision.objects.create(review=review, opened_by=members[F])
    Vote.objects.create(decision=decision, voter=members[A], choice="go")
    for n in range(3 * size):
        risk = RiskFactory(project=project, raised_by=members[F], likelihood=n % 5 + 1)
        MitigationActionFactory(risk=risk, owner=members[C])
    from django.core.cache import cache

    cache.clear()  # the previous review's score is computed, not read from the cache
    # One of them asks for a cutover plan, one for the go / no-go criteria, one for the
    # support plan, one for the items with expired evidence and one for the open questions.
    with django_assert_max_num_queries(22):
        summary_context(review)


def test_executive_summary_asks_to_name_a_signer_for_a_role_nobody_holds(db):
    project = ProjectFactory()
    facilitator = UserFactory(full_name="Fay Facilitator")
    MembershipFactory(project=project, user=facilitator, role=Role.FACILITATOR)
    review = make_review(project, acting_user=facilitator)  # items need a business owner
    items = items_by_title(review)
    set_status(items["Item 0.1"], "done")
    set_status(items["Item 1.1"], "done")
    summary = pdf_pages(review)[0][1]
    assert "Sign off 2 finished items: nobody can sign them yet." in summary
    assert (
        "Name who signs as Business owner: nobody in the project holds this role, "
        "and 2 items wait for Business owner." in summary
    )


def test_executive_summary_asks_to_rework_rejected_items(project, members, reviews):
    _, review = reviews
    item = items_by_title(review)["Item 2.1"]
    SignOff.objects.create(item=item, signer=members[A], decision="reject", item_version=1,
                           comment="The evidence is last year's.")  # fmt: skip
    summary = pdf_pages(review)[0][1]
    assert "Rework 1 item a stakeholder rejected: Item 2.1." in summary
    assert "Sign off 2 finished items: Approver Person (2)." in summary  # not the rejected one
