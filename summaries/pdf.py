"""The summary PDF of a review: its data, its HTML (the site's partials + print.css), WeasyPrint.

``summary_context`` reads everything in a fixed number of queries (the executive
summary's groupings are in ``summaries.executive``); ``summary_html`` renders
``summaries/pdf/summary.html``, which includes the web's heat-map SVG partial (area bars
are drawn by the readiness table, where long area names wrap); ``render_pdf`` lays it out
with WeasyPrint, fetching nothing but the site's own static files and data: URIs (the
logo is embedded as one), never the network or the media folder.
"""

import base64
import gc
import logging
import mimetypes
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from cutover.summary import CutoverCriteria, cutover_summary
from decisions.selectors import criteria_for_summary, latest_decision, summary_facts
from discussions.selectors import open_questions_by_area
from projects.logos import LOGO_FORMATS, LOGO_MAX_BYTES
from projects.models import Role
from projects.selectors import memberships_of_project
from reviews.selectors.items import annotate_awaited, review_items
from reviews.selectors.scores import review_score
from risks.selectors import (
    go_live_blockers,
    open_actions_by_owner,
    open_risks_by_score,
    open_risks_heatmap,
)
from summaries import executive
from support.summary import SupportCriteria, support_summary

logger = logging.getLogger(__name__)

STATIC_BASE = Path(settings.BASE_DIR) / "static"
# The PDF embeds the project's logo itself (the fetcher reads no media). A logo is checked
# on upload (projects.logos); one that is larger or of another type by now is left out.
LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": LOGO_FORMATS["PNG"], b"\xff\xd8\xff": LOGO_FORMATS["JPEG"]}


def logo_data_uri(project):
    """The project's logo as a data: URI read from storage, or None.

    Read through the storage API (never ``.path``: the media may live in an object store),
    and embedded, because the PDF's fetcher serves nothing but static files and data: URIs.
    """
    if not project.logo:
        return None
    try:
        with project.logo.storage.open(project.logo.name, "rb") as logo:
            data = logo.read(LOGO_MAX_BYTES + 1)
    except OSError as error:
        logger.warning("Summary PDF of %s without its logo: %s", project, error)
        return None
    content_type = next(
        (kind for magic, kind in LOGO_SIGNATURES.items() if data.startswith(magic)), None
    )
    if content_type is None or len(data) > LOGO_MAX_BYTES:
        logger.warning("Summary PDF of %s without its logo: not a PNG or JPEG under 1 MB", project)
        return None
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def summary_context(review, *, generated_at=None):
    """Everything the summary shows, in a fixed number of queries whatever the review's size."""
    generated_at = generated_at or timezone.now()
    today = timezone.localdate(generated_at)
    project = review.project
    sections = list(review.sections.order_by("order"))
    memberships = list(memberships_of_project(project, order=("user__full_name", "user__email")))
    items = review_items(review, sections=sections, users={m.user_id: m.user for m in memberships})
    annotate_awaited(items, memberships)
    score = review_score(review, sections, items)
    by_section = {section.pk: [] for section in sections}
    for item in items:
        by_section[item.section_id].append(item)
    open_risks = open_risks_by_score(project)
    days_left = (project.go_live_date - today).days if project.go_live_date else None
    owner_groups = executive.label_actions(open_actions_by_owner(project, today=today))
    decision = latest_decision(review)
    approvers = [m.user for m in memberships if m.role == Role.APPROVER]
    blocker_items = [item for item in items if item.is_open_blocker]
    blocker_rows, blockers_not_started = executive.blocker_rows(blocker_items)
    blocker_risks = [risk for risk in open_risks if risk.is_blocker]
    sections = [(section, by_section[section.pk]) for section in sections]
    cutover = cutover_summary(project)
    support = support_summary(project)
    owner_overdue = sum(group.overdue_count for group in owner_groups)
    open_questions = open_questions_by_area(
        project, item_ids=[item.pk for item in items],
        areas=[(section.key, section.title) for section, _ in sections],
    )  # fmt: skip
    facts = summary_facts(
        review, score=score, items=items, blocker_risk_count=len(blocker_risks),
        overdue_action_count=owner_overdue,
        cutover=cutover.criteria if cutover else CutoverCriteria(in_use=False),
        support=support.criteria if support else SupportCriteria(in_use=False),
    )  # fmt: skip
    return {
        "project": project,
        "review": review,
        "generated_at": generated_at,
        "today": today,
        "days_to_go_live": days_left,
        "score": score,
        "sections": sections,
        "items": items,
        "logo": logo_data_uri(project),
        "blocker_items": blocker_items,
        "blocker_item_rows": blocker_rows,
        "blockers_not_started": blockers_not_started,
        "blockers_not_started_count": len(blocker_items) - len(blocker_rows),
        "checklist": executive.checklist_sections(sections),
        "signoff_sections": executive.signoff_sections(sections),
        "decision": decision,
        "criteria": criteria_for_summary(review, decision, facts),
        "votes_awaited": executive.votes_awaited(decision, approvers, project),
        "open_conditions": executive.open_conditions(decision),
        "signoffs_awaited": executive.signoffs_awaited(items),
        "overdue_by_owner": executive.overdue_by_owner(owner_groups),
        "trend": executive.review_trend(review, items, score),
        "owner_groups": owner_groups,
        "open_action_count": sum(len(group.actions) for group in owner_groups),
        "overdue_action_count": owner_overdue,
        "project_managers": [m.user for m in memberships if m.role == Role.PROJECT_MANAGER],
        "approvers": approvers,
        "open_risks": open_risks,
        "top_risks": executive.top_risks(open_risks, owner_groups),
        "risk_bands": executive.risks_by_band(open_risks),
        "blocker_risks": blocker_risks,
        # As the go / no-go gate counts them: flagged items open, blocker findings open.
        "go_live_blockers": go_live_blockers(score, findings=len(blocker_risks)),
        "rejected_items": [item for item in items if item.signoff.rejections],
        "cutover": cutover,
        "support": support,
        "open_questions": open_questions,
        # After the cutover and support chapters, which are there only with their plans.
        "questions_chapter": 7 + bool(cutover) + bool(support),
        "heatmap": open_risks_heatmap(
            project, title="Heat map of open risks and issues", dom_id="summary-heatmap"
        ),
    }


def summary_html(review, *, generated_at=None):
    return render_to_string(
        "summaries/pdf/summary.html", summary_context(review, generated_at=generated_at)
    )


def _static_files_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serves the site's static files and data: URLs; refuses anything else.

        So a summary never reaches the network or reads outside the static folders,
        whatever the data it shows contains.
        """

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme != "file":
                raise ValueError(f"The summary PDF loads only the site's static files, not {url}")
            path = Path(unquote(parsed.path)).resolve()
            try:
                relative = path.relative_to(STATIC_BASE.resolve())
            except ValueError as error:
                raise ValueError(f"Not a static file: {url}") from error
            found = finders.find(relative.as_posix())
            if not found:
                raise ValueError(f"No static file {relative}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnly(allowed_protocols=["file", "data"])


@contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for the length of a render.

    A layout allocates hundreds of thousands of objects that live until the PDF is
    written; the collector would walk the growing heap again and again while nearly all
    of it is still in use. Paused, it runs once afterwards (on the next allocations) and
    frees the layout's reference cycles then; peak memory stays the same
    (``bench/bench_pdf.py`` measures both, the deferred collection included).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html):
    """(PDF bytes, page count) of an HTML string laid out by WeasyPrint."""
    # Imported here: WeasyPrint loads Pango and its fonts, which only a rendering worker needs.
    from weasyprint import HTML

    with _cyclic_gc_paused():
        document = HTML(
            string=html, base_url=STATIC_BASE.as_uri() + "/", url_fetcher=_static_files_fetcher()
        ).render()
        return document.write_pdf(), len(document.pages)


def render_summary(review, *, generated_at=None):
    """(PDF bytes, page count) of the review's summary."""
    return render_pdf(summary_html(review, generated_at=generated_at))
