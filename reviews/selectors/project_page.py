"""What the project page shows besides the project itself."""

from accounts.selectors import memberships_of_project
from reviews.selectors.decisions import decisions_of_project
from reviews.selectors.reviews import project_reviews_with_trend
from risks.selectors import project_risk_summary


def project_page_context(*, user, project):
    context = {"memberships": list(memberships_of_project(project))}
    context["reviews"] = project_reviews_with_trend(project)
    context["decisions"] = decisions_of_project(project)
    latest = {}
    for decision in reversed(context["decisions"]):  # oldest first, so the newest wins
        latest[decision.review_id] = decision
    for review in context["reviews"]:
        review.decision = latest.get(review.pk)
    context["risk_summary"] = project_risk_summary(project)
    return context
