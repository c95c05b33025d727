"""Authorization crawl: every URL pattern, every role of one project, ids of another project.

Two ways in for each member of the first project:
- every id from the second project (a project they are not in), and
- their own project's id with the other ids from the second project (the id-swapping
  attack: /projects/<mine>/reviews/<theirs>/).

Each must be a 404 (GET, or POST where GET is not allowed), and the 404 page must not
name the other project; any other answer (a 403 included) is a leak. Printed as
"N URLs x M roles checked, 0 leaks" (run with -s).
"""

from projects.models import Role
from tests.urlwalk import PUBLIC_URL_NAMES, fill, iter_patterns, kwarg_names
from tests.worlds import project_world

PROJECT_SCOPED = sorted(
    {
        (name, route)
        for name, route, _ in iter_patterns()
        if kwarg_names(route) and name not in PUBLIC_URL_NAMES
    }
)


def _paths(own_ids, foreign_ids):
    """(label, path) of every project-scoped URL: all ids foreign, and own project + foreign ids."""
    for name, route in PROJECT_SCOPED:
        yield f"{name} (all ids foreign)", fill(route, foreign_ids)
        if set(kwarg_names(route)) - {"project_pk"}:
            mine = {"project_pk": own_ids["project_pk"]}
            yield f"{name} (own project, foreign object)", fill(route, foreign_ids | mine)


def _answer(client, path):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def test_every_role_gets_404_on_every_url_of_another_project(client, db):
    from projects.models import Project

    own_ids, members = project_world()
    foreign_ids, _ = project_world()
    foreign_name = Project.objects.get(pk=foreign_ids["project_pk"]).name
    paths = list(_paths(own_ids, foreign_ids))
    leaks = []
    for role in Role.values:
        client.force_login(members[role])
        for label, path in paths:
            response = _answer(client, path)
            status = response.status_code
            if status == 404:
                if foreign_name in response.content.decode(errors="replace"):
                    leaks.append(f"{role}: 404 page of {path} names {foreign_name!r} [{label}]")
            else:
                leaks.append(f"{role}: {status} on {path} [{label}]")
    print(f"{len(paths)} URLs x {len(Role.values)} roles checked, {len(leaks)} leaks")
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    assert len(PROJECT_SCOPED) >= 40, "the crawl should see every project-scoped URL"
