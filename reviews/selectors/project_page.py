"""What the project page shows besides the project itself."""

from accounts.selectors import memberships_of_project


def project_page_context(*, user, project):
    return {"memberships": list(memberships_of_project(project))}
