"""The API's authorization crawl: another project's ids are never found, and each role may
do through the API exactly what the pages let it do (projects.permissions)."""

import pytest
from django.urls import get_resolver

from cutover.models import StepEvent
from projects.models import Membership, Role
from reviews.models import ReviewItem
from risks.models import MitigationAction, Risk
from tests.api.conftest import error_of
from tests.worlds import project_world

P = "/api/v1/projects/{project_pk}/"
ITEM = P + "reviews/{review_pk}/items/{item_pk}/"

# Every operation of the API with the ids its URL names (a test below checks none is missing).
READS = [
    P, P + "members/", P + "reviews/", P + "reviews/{review_pk}/", P + "reviews/{review_pk}/items/",
    ITEM, P + "findings/", P + "findings/{risk_pk}/", P + "findings/{risk_pk}/actions/",
    P + "actions/{action_pk}/", P + "decisions/", P + "decisions/{decision_pk}/",
    P + "cutover/steps/", P + "cutover/runs/", P + "reviews/{review_pk}/summaries/",
    P + "summaries/{summary_pk}/", P + "summaries/{summary_pk}/pdf/",
]  # fmt: skip


def writes(ids, members):
    """(name, method, url, body) of every write, with bodies a permitted role gets through."""
    item = ReviewItem.objects.get(pk=ids["item_pk"])
    risk = Risk.objects.get(pk=ids["risk_pk"])
    action = MitigationAction.objects.get(pk=ids["action_pk"])
    last_event = StepEvent.objects.filter(run=ids["run_pk"], step=ids["step_pk"]).latest("pk")
    contributor = members[Role.CONTRIBUTOR].pk
    return [
        ("item edit", "patch", ITEM, {"version": item.version, "response": "Checked"}),
        ("sign-off", "post", ITEM + "signoffs/", {"decision": "approve"}),
        ("finding raise", "post", P + "findings/",
         {"title": "New", "type": "risk", "likelihood": 2, "impact": 2}),
        ("finding edit", "patch", P + "findings/{risk_pk}/", {"version": risk.version, "impact": 5}),
        ("action add", "post", P + "findings/{risk_pk}/actions/",
         {"description": "Do it", "owner_id": contributor}),
        ("action notes", "patch", P + "actions/{action_pk}/",
         {"version": action.version, "notes": "Progress"}),
        ("step mark", "post", P + "cutover/runs/{run_pk}/steps/{step_pk}/marks/",
         {"kind": "done", "seen": last_event.pk}),
        ("summary request", "post", P + "reviews/{review_pk}/summaries/", {}),
    ]  # fmt: skip


# What each role may do: the pages' predicates (projects/permissions.py) for this world, where
# the facilitator raised the finding, the contributor owns its action, the item has no owner
# and names the business owner's sign-off role, which the approver holds.
ALLOWED = {
    Role.FACILITATOR: {"item edit", "finding raise", "finding edit", "action add",
                       "action notes", "summary request"},
    Role.PROJECT_MANAGER: {"item edit", "finding raise", "finding edit", "action add",
                           "action notes", "step mark", "summary request"},
    Role.APPROVER: {"sign-off", "finding raise"},
    Role.CONTRIBUTOR: {"finding raise", "action notes"},
    Role.VIEWER: set(),
}  # fmt: skip


def _approver_holds_the_items_role(ids, members):
    Membership.objects.filter(project_id=ids["project_pk"], user=members[Role.APPROVER]).update(
        signoff_roles=["business_owner"]
    )


def test_the_crawl_covers_every_operation(world):
    """A new endpoint must join READS or writes() above (and so the crawl and the matrix)."""
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    v1 = next(p for p in api.url_patterns if str(p.pattern) == "v1/")
    routes = {str(pattern.pattern) for pattern in v1.url_patterns}
    crawled = [*READS, *(url for _, _, url, _ in writes(*world)), ITEM + "signoffs/revoke/"]
    as_routes = {
        url.replace("/api/v1/", "")
        .replace("risk_pk", "finding_pk")
        .replace("{", "<int:")
        .replace("}", ">")
        for url in crawled
    }
    # The project list names no ids: every test above reads it.
    assert routes - as_routes == {"projects/"}
    assert as_routes <= routes


@pytest.fixture
def two_worlds(db):
    """Project A with its members, and project B's ids."""
    ids_a, members_a = project_world()
    ids_b, members_b = project_world()
    _approver_holds_the_items_role(ids_b, members_b)
    return ids_a, members_a, ids_b, members_b


@pytest.mark.parametrize("role", Role.values)
def test_another_projects_ids_are_never_found(two_worlds, api_as, role):
    ids_a, members_a, ids_b, members_b = two_worlds
    client = api_as(members_a[role])
    mixed = {**ids_b, "project_pk": ids_a["project_pk"]}  # my project, their objects
    leaks = []
    for ids in (ids_b, mixed):
        # Under my own project, a URL that names no other id is my own list: not a probe.
        probes = [url for url in READS if ids is ids_b or url.count("{") > 1]
        for url in probes:
            response = client.get(url.format(**ids))
            if response.status_code != 404:
                leaks.append(("get", url, ids is mixed, response.status_code))
        revoke = ("sign-off revoke", "post", ITEM + "signoffs/revoke/", {})
        for name, method, url, body in [*writes(ids_b, members_b), revoke]:
            if ids is mixed and url.count("{") == 1:
                continue
            response = getattr(client, method)(url.format(**ids), body)
            if response.status_code != 404:
                leaks.append((name, url, ids is mixed, response.status_code))
            else:
                assert error_of(response)["code"] == "not_found"
    assert leaks == []
    # And project B is untouched.
    assert ReviewItem.objects.get(pk=ids_b["item_pk"]).version == 1
    assert StepEvent.objects.filter(run=ids_b["run_pk"]).count() == 1


def test_other_projects_are_not_listed(two_worlds, api_as):
    ids_a, members_a, _ids_b, _ = two_worlds
    listed = api_as(members_a[Role.PROJECT_MANAGER]).get("/api/v1/projects/").json()["results"]
    assert [row["id"] for row in listed] == [ids_a["project_pk"]]


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_every_resource(world, api_as, role):
    ids, members = world
    client = api_as(members[role])
    statuses = {url: client.get(url.format(**ids)).status_code for url in READS}
    assert statuses == dict.fromkeys(READS, 200)


@pytest.mark.parametrize("role", Role.values)
def test_role_matrix_matches_the_pages(world, api_as, role):
    ids, members = world
    _approver_holds_the_items_role(ids, members)
    client = api_as(members[role])
    outcome = {}
    for name, method, url, body in writes(ids, members):
        response = getattr(client, method)(url.format(**ids), body)
        if response.status_code == 403:
            assert error_of(response)["message"], name  # says why
            outcome[name] = "refused"
        else:
            assert response.status_code in (200, 201, 202), (name, response.json())
            outcome[name] = "allowed"
    expected = {name: "allowed" if name in ALLOWED[role] else "refused" for name in outcome}
    assert outcome == expected
