"""What the home page shows: the user's projects and what waits on them."""

from reviews.selectors.projects import project_list_for_user
from reviews.selectors.reviews import items_awaiting_signoff, latest_review_scores
from risks.selectors import home_risk_panels


def home_context(user):
    context = {"projects": latest_review_scores(project_list_for_user(user))}
    context["awaiting_signoff"] = items_awaiting_signoff(user)
    context.update(home_risk_panels(user, context["projects"]))
    return context
