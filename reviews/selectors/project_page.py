"""What the project page shows besides the project itself."""

from accounts.selectors import memberships_of_project
from reviews.selectors.reviews import project_reviews_with_trend


def project_page_context(*, user, project):
    context = {"memberships": list(memberships_of_project(project))}
    context["reviews"] = project_reviews_with_trend(project)
    return context
