"""What the pages that compose every app show: home, the project list, the project page."""

from core.lists import bounded, page_of
from cutover.selectors_live import steps_ready_for
from decisions.selectors import decisions_of_project_query, latest_decisions_of_reviews
from projects.models import GoLiveDateChange
from projects.selectors import memberships_of_project, projects_for_user
from reviews.selectors.items import items_awaiting_signoff_first
from reviews.selectors.reviews import project_reviews_with_trend
from reviews.selectors.scores import latest_review_scores
from reviews.selectors.workshops import upcoming_workshops
from risks.selectors import (
    HOME_COUNT_CAP,
    home_risk_panels,
    open_blocker_counts,
    project_risk_summary,
)

# Home shows the first of each growing list and links to the full, paged list.
HOME_PROJECTS = 9
HOME_LIST_LENGTH = 8
PROJECTS_PER_PAGE = 24


def _my_projects(user):
    return projects_for_user(user).order_by("go_live_date", "name", "pk")


def project_cards(projects, user):
    """Decorate the cards of ``projects`` (the user's) with their latest review's score and
    open blocker count; the user's overdue actions (first few and count) come back."""
    projects = latest_review_scores(projects)
    return home_risk_panels(user, projects, limit=HOME_LIST_LENGTH)


def project_list_page(request):
    """The page of the user's projects the request asks for, as cards."""
    page = page_of(_my_projects(request.user), request, PROJECTS_PER_PAGE)
    page.object_list = list(page.object_list)
    latest_review_scores(page.object_list)
    open_blocker_counts(page.object_list)
    return page


def home_context(user):
    projects = bounded(_my_projects(user), HOME_PROJECTS)
    risk_panels = project_cards(projects.rows, user)
    return {
        "projects": projects,
        "awaiting_signoff": items_awaiting_signoff_first(
            user, HOME_LIST_LENGTH, cap=HOME_COUNT_CAP
        ),
        "upcoming_workshops": upcoming_workshops(user),
        "cutover_steps_ready": steps_ready_for(user),
        **risk_panels,
    }


# The project page shows the newest of each growing list and links to the paged list.
PROJECT_PAGE_LIST_LENGTH = 10


def project_page_context(project):
    limit = PROJECT_PAGE_LIST_LENGTH
    context = {"memberships": list(memberships_of_project(project))}
    context["reviews"] = project_reviews_with_trend(project, limit=limit)
    context["decisions"] = bounded(
        decisions_of_project_query(project, votes=False, conditions=False), limit
    )
    latest = latest_decisions_of_reviews(context["reviews"].rows)
    for review in context["reviews"]:
        review.decision = latest.get(review.pk)
    context["risk_summary"] = project_risk_summary(project, memberships=context["memberships"])
    context["date_changes"] = bounded(go_live_date_changes_query(project), limit)
    return context


def go_live_date_changes_query(project):
    """The project's re-plans, newest first, with who made them and the decision behind each
    (a decision points at the re-plan it made, so this page, above both, joins them)."""
    return (
        GoLiveDateChange.objects.filter(project=project)
        .select_related("changed_by", "decision")
        .order_by("-created_at", "-pk")
    )
