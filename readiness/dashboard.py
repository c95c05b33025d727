"""What the pages that compose every app show: home, the project list, the project page."""

from cutover.selectors_live import steps_ready_for
from decisions.selectors import decisions_of_project
from projects.models import GoLiveDateChange
from projects.selectors import memberships_of_project, project_list_for_user
from reviews.selectors.items import items_awaiting_signoff
from reviews.selectors.reviews import project_reviews_with_trend
from reviews.selectors.scores import latest_review_scores
from reviews.selectors.workshops import upcoming_workshops
from risks.selectors import home_risk_panels, project_risk_summary


def project_cards(user):
    """The user's projects, each with its latest review's score and open blocker count."""
    projects = latest_review_scores(project_list_for_user(user))
    return projects, home_risk_panels(user, projects)


def home_context(user):
    projects, risk_panels = project_cards(user)
    return {
        "projects": projects,
        "awaiting_signoff": items_awaiting_signoff(user),
        "upcoming_workshops": upcoming_workshops(user),
        "cutover_steps_ready": steps_ready_for(user),
        **risk_panels,
    }


def project_page_context(project):
    context = {"memberships": list(memberships_of_project(project))}
    context["reviews"] = project_reviews_with_trend(project)
    context["decisions"] = decisions_of_project(project)
    latest = {}
    for decision in reversed(context["decisions"]):  # oldest first, so the newest wins
        latest[decision.review_id] = decision
    for review in context["reviews"]:
        review.decision = latest.get(review.pk)
    context["risk_summary"] = project_risk_summary(project)
    context["date_changes"] = go_live_date_changes(project)
    return context


def go_live_date_changes(project):
    """The project's re-plans, newest first, with who made them and the decision behind each
    (a decision points at the re-plan it made, so this page, above both, joins them)."""
    return list(
        GoLiveDateChange.objects.filter(project=project)
        .select_related("changed_by", "decision")
        .order_by("-created_at", "-pk")
    )
