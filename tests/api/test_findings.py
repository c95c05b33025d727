"""Findings and their mitigation actions through the API: create, read, update, filter."""

from projects.models import Role
from risks.models import MitigationAction, Risk
from tests.api.conftest import error_of
from tests.factories import RiskFactory


def findings(ids):
    return f"/api/v1/projects/{ids['project_pk']}/findings/"


def test_contributor_raises_a_finding_with_its_first_action(world, api_as):
    ids, members = world
    contributor = members[Role.CONTRIBUTOR]
    response = api_as(contributor).post(
        findings(ids),
        {
            "title": "Interfaces untested", "type": "risk", "likelihood": 4, "impact": 5,
            "is_blocker": True, "review_item_id": ids["item_pk"],
            "first_action": {"description": "Test them", "owner_id": contributor.pk,
                             "due_date": "2030-02-01"},
        },
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["severity"], body["review_item_id"]) == (
        20,
        "critical",
        ids["item_pk"],
    )
    assert [a["description"] for a in body["actions"]] == ["Test them"]
    risk = Risk.objects.get(pk=body["id"])
    assert risk.raised_by == contributor
    assert risk.actions.get().owner == contributor


def test_finding_create_errors_name_the_fields(world, api_as, outsider):
    ids, members = world
    client = api_as(members[Role.CONTRIBUTOR])
    unrated = client.post(findings(ids), {"title": "No rating", "type": "risk"})
    assert unrated.status_code == 400
    assert set(error_of(unrated)["fields"]) >= {"likelihood"}
    foreign_owner = client.post(
        findings(ids),
        {"title": "T", "type": "assertion",
         "first_action": {"description": "x", "owner_id": outsider.pk}},
    )  # fmt: skip
    assert foreign_owner.status_code == 400
    assert set(error_of(foreign_owner)["fields"]) == {"first_action.owner_id"}


def test_viewer_cannot_raise_a_finding(world, api_as):
    ids, members = world
    before = Risk.objects.count()
    response = api_as(members[Role.VIEWER]).post(
        findings(ids), {"title": "T", "type": "risk", "likelihood": 1, "impact": 1}
    )
    assert response.status_code == 403
    assert "Viewers read the register" in error_of(response)["message"]
    assert Risk.objects.count() == before


def test_finding_update_and_its_stale_version(world, api_as):
    ids, members = world
    url = f"{findings(ids)}{ids['risk_pk']}/"
    facilitator = api_as(members[Role.FACILITATOR])
    read = facilitator.get(url).json()
    saved = facilitator.patch(url, {"version": read["version"], "likelihood": 5, "impact": 5})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["score"] == 25
    stale = api_as(members[Role.PROJECT_MANAGER]).patch(
        url, {"version": read["version"], "title": "Other"}
    )
    assert stale.status_code == 409
    error = error_of(stale)
    assert str(members[Role.FACILITATOR]) in error["message"]
    assert any("likelihood" in line for line in error["changes"][0]["changes"])


def test_register_filters_match_the_page(world, api_as):
    ids, members = world
    project_id = ids["project_pk"]
    RiskFactory(project_id=project_id, raised_by=members[Role.FACILITATOR], likelihood=1,
                impact=1, title="Low one")  # fmt: skip
    client = api_as(members[Role.VIEWER])
    low = client.get(findings(ids), severity="low").json()["results"]
    assert [row["title"] for row in low] == ["Low one"]
    by_owner = client.get(findings(ids), owner=members[Role.CONTRIBUTOR].pk).json()["results"]
    assert [row["id"] for row in by_owner] == [ids["risk_pk"]]
    blockers = client.get(findings(ids), blocker="yes", sort="-score").json()
    assert all(row["is_blocker"] for row in blockers["results"])
    bad = client.get(findings(ids), severity="huge")
    assert bad.status_code == 400
    assert set(error_of(bad)["fields"]) == {"severity"}


def test_actions_create_update_and_status(world, api_as):
    ids, members = world
    contributor = members[Role.CONTRIBUTOR]
    facilitator = api_as(members[Role.FACILITATOR])
    created = facilitator.post(
        f"{findings(ids)}{ids['risk_pk']}/actions/",
        {"description": "Second action", "owner_id": contributor.pk, "due_date": "2030-03-01"},
    )
    assert created.status_code == 201, created.json()
    action = created.json()
    listed = facilitator.get(f"{findings(ids)}{ids['risk_pk']}/actions/").json()
    assert action["id"] in [row["id"] for row in listed["results"]]
    url = f"/api/v1/projects/{ids['project_pk']}/actions/{action['id']}/"
    owner = api_as(contributor)
    noted = owner.patch(url, {"version": action["version"], "notes": "Started", "status": "done"})
    assert noted.status_code == 200, noted.json()
    assert (noted.json()["notes"], noted.json()["status"]) == ("Started", "done")
    refused = owner.patch(url, {"version": noted.json()["version"], "description": "Changed"})
    assert refused.status_code == 403
    assert "description or due date" in error_of(refused)["message"]
    assert MitigationAction.objects.get(pk=action["id"]).description == "Second action"


def test_viewer_cannot_update_an_action(world, api_as):
    ids, members = world
    url = f"/api/v1/projects/{ids['project_pk']}/actions/{ids['action_pk']}/"
    client = api_as(members[Role.VIEWER])
    version = client.get(url).json()["version"]
    response = client.patch(url, {"version": version, "notes": "x"})
    assert response.status_code == 403
    error_of(response)
