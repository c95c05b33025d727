"""The summary PDF of a review: its data, its HTML (the site's partials + print.css), WeasyPrint.

``summary_context`` reads everything in a fixed number of queries; ``summary_html``
renders ``summaries/pdf/summary.html``, which includes the same section-bar and heat-map
SVG partials as the web pages; ``render_pdf`` lays it out with WeasyPrint, fetching
nothing but the site's own static files (no network).
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from decisions.selectors import latest_decision
from projects.models import Role
from projects.selectors import memberships_of_project
from reviews.selectors.items import annotate_awaited, review_items
from reviews.selectors.scores import review_score
from risks.selectors import open_actions_by_owner, open_risks_by_score, open_risks_heatmap

STATIC_BASE = Path(settings.BASE_DIR) / "static"


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
    owner_groups = open_actions_by_owner(project, today=today)
    return {
        "project": project,
        "review": review,
        "generated_at": generated_at,
        "today": today,
        "days_to_go_live": days_left,
        "score": score,
        "sections": [(section, by_section[section.pk]) for section in sections],
        "items": items,
        "blocker_items": [item for item in items if item.is_open_blocker],
        "decision": latest_decision(review),
        "owner_groups": owner_groups,
        "open_action_count": sum(len(group.actions) for group in owner_groups),
        "overdue_action_count": sum(group.overdue_count for group in owner_groups),
        "project_managers": [m.user for m in memberships if m.role == Role.PROJECT_MANAGER],
        "approvers": [m.user for m in memberships if m.role == Role.APPROVER],
        "open_risks": open_risks,
        "blocker_risks": [risk for risk in open_risks if risk.is_blocker],
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


def render_pdf(html):
    """(PDF bytes, page count) of an HTML string laid out by WeasyPrint."""
    # Imported here: WeasyPrint loads Pango and its fonts, which only a rendering worker needs.
    from weasyprint import HTML

    document = HTML(
        string=html, base_url=STATIC_BASE.as_uri() + "/", url_fetcher=_static_files_fetcher()
    ).render()
    return document.write_pdf(), len(document.pages)


def render_summary(review, *, generated_at=None):
    """(PDF bytes, page count) of the review's summary."""
    return render_pdf(summary_html(review, generated_at=generated_at))
