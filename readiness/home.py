"""What the home page shows: the user's projects and what waits on them."""

from reviews.selectors.projects import project_list_for_user


def home_context(user):
    return {"projects": project_list_for_user(user)}
