"""Reviews, items and sign-offs through the API: the pages' rules, the version rule."""

from projects.models import Role
from reviews.models import ReviewItem, SignOff
from reviews.services.items import review_item_update
from tests.api.conftest import error_of


def base(ids):
    return f"/api/v1/projects/{ids['project_pk']}/reviews/{ids['review_pk']}/"


def item_url(ids):
    return f"{base(ids)}items/{ids['item_pk']}/"


def test_projects_list_shows_my_projects_with_my_role(world, api_as):
    ids, members = world
    body = api_as(members[Role.VIEWER]).get("/api/v1/projects/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == ids["project_pk"]
    assert body["results"][0]["my_role"] == Role.VIEWER


def test_members_list_names_roles(world, api_as):
    ids, members = world
    body = api_as(members[Role.VIEWER]).get(f"/api/v1/projects/{ids['project_pk']}/members/").json()
    roles = {row["user_id"]: row["role"] for row in body["results"]}
    assert roles[members[Role.APPROVER].pk] == Role.APPROVER
    assert len(roles) == len(Role.values)


def test_review_list_and_detail_count_items(world, api_as):
    ids, members = world
    client = api_as(members[Role.VIEWER])
    listed = client.get(f"/api/v1/projects/{ids['project_pk']}/reviews/").json()["results"]
    assert [row["id"] for row in listed] == [ids["review_pk"]]
    assert listed[0]["item_count"] == ReviewItem.objects.filter(review=ids["review_pk"]).count()
    assert client.get(base(ids)).json()["item_count"] == listed[0]["item_count"]


def test_item_list_filters_like_the_review_page(world, api_as):
    ids, members = world
    pm = members[Role.PROJECT_MANAGER]
    item = ReviewItem.objects.get(pk=ids["item_pk"])
    review_item_update(item=item, acting_user=pm, version=item.version, status="done", owner=pm)
    client = api_as(pm)
    done = client.get(f"{base(ids)}items/", status="done").json()
    assert [row["id"] for row in done["results"]] == [ids["item_pk"]]
    mine = client.get(f"{base(ids)}items/", owner="me").json()
    assert [row["id"] for row in mine["results"]] == [ids["item_pk"]]
    everything = client.get(f"{base(ids)}items/").json()
    assert everything["count"] == ReviewItem.objects.filter(review=ids["review_pk"]).count()
    section = everything["results"][-1]["section"]
    in_section = client.get(f"{base(ids)}items/", section=section).json()["results"]
    assert in_section
    assert {row["section"] for row in in_section} == {section}


def test_item_list_refuses_an_unknown_filter_value_naming_it(world, api_as):
    ids, members = world
    response = api_as(members[Role.VIEWER]).get(f"{base(ids)}items/", status="finished")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"status"}


def test_item_update_saves_and_bumps_the_version(world, api_as):
    ids, members = world
    client = api_as(members[Role.FACILITATOR])
    item = client.get(item_url(ids)).json()
    contributor = members[Role.CONTRIBUTOR]
    response = client.patch(
        item_url(ids),
        {
            "version": item["version"], "status": "in_progress", "response": "Plan agreed",
            "owner_id": contributor.pk, "due_date": "2030-01-31",
        },
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == item["version"] + 1
    assert (body["status"], body["response"], body["owner_id"], body["due_date"]) == (
        "in_progress", "Plan agreed", contributor.pk, "2030-01-31",
    )  # fmt: skip
    stored = ReviewItem.objects.get(pk=ids["item_pk"])
    assert stored.response == "Plan agreed"
    assert stored.changes.get(version=stored.version).user == members[Role.FACILITATOR]


def test_item_update_with_a_stale_version_is_a_409_naming_who_changed_what(world, api_as):
    ids, members = world
    client = api_as(members[Role.FACILITATOR])
    read = client.get(item_url(ids)).json()
    pm = members[Role.PROJECT_MANAGER]
    api_as(pm).patch(item_url(ids), {"version": read["version"], "response": "PM's answer"})
    response = client.patch(item_url(ids), {"version": read["version"], "response": "Mine"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert str(pm) in error["message"]
    assert error["changes"] == [
        {
            "version": read["version"] + 1,
            "user": str(pm),
            "at": error["changes"][0]["at"],
            "changes": ["response: — → PM's answer"],
        }
    ]
    assert ReviewItem.objects.get(pk=ids["item_pk"]).response == "PM's answer"


def test_item_update_validation_errors_name_the_fields(world, api_as):
    ids, members = world
    client = api_as(members[Role.FACILITATOR])
    response = client.patch(
        item_url(ids), {"status": "finished", "due_date": "tomorrow", "owner_id": 0}
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"version", "status", "due_date", "owner_id"}


def test_item_owner_must_be_a_member(world, api_as, outsider):
    ids, members = world
    client = api_as(members[Role.FACILITATOR])
    version = client.get(item_url(ids)).json()["version"]
    response = client.patch(item_url(ids), {"version": version, "owner_id": outsider.pk})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"owner_id"}


def test_viewer_cannot_edit_an_item_and_is_told_why(world, api_as):
    ids, members = world
    client = api_as(members[Role.VIEWER])
    version = client.get(item_url(ids)).json()["version"]
    response = client.patch(item_url(ids), {"version": version, "response": "x"})
    assert response.status_code == 403
    assert "facilitator" in error_of(response)["message"]


def _approver_signs(members, ids):
    membership = members[Role.APPROVER].memberships.get(project_id=ids["project_pk"])
    item = ReviewItem.objects.get(pk=ids["item_pk"])
    membership.signoff_roles = list(item.signoff_roles)
    membership.save()


def test_signoff_give_reject_and_revoke(world, api_as):
    ids, members = world
    _approver_signs(members, ids)
    client = api_as(members[Role.APPROVER])
    approved = client.post(f"{item_url(ids)}signoffs/", {"decision": "approve"})
    assert approved.status_code == 201, approved.json()
    assert approved.json()["decision"] == "approve"
    rejected = client.post(f"{item_url(ids)}signoffs/", {"decision": "reject"})
    assert rejected.status_code == 400
    assert set(error_of(rejected)["fields"]) == {"comment"}
    rejected = client.post(
        f"{item_url(ids)}signoffs/", {"decision": "reject", "comment": "No evidence"}
    )
    assert rejected.status_code == 201
    revoked = client.post(f"{item_url(ids)}signoffs/revoke/", {"comment": "Changed my mind"})
    assert revoked.status_code == 201
    decisions = list(
        SignOff.objects.filter(item=ids["item_pk"])
        .order_by("pk")
        .values_list("decision", flat=True)
    )
    assert decisions == ["approve", "reject", "revoke"]
    shown = client.get(item_url(ids)).json()["signoffs"]
    assert [row["decision"] for row in shown] == decisions


def test_viewer_cannot_sign_off(world, api_as):
    ids, members = world
    response = api_as(members[Role.VIEWER]).post(
        f"{item_url(ids)}signoffs/", {"decision": "approve"}
    )
    assert response.status_code == 403
    assert "stakeholder role" in error_of(response)["message"]
    assert not SignOff.objects.filter(item=ids["item_pk"]).exists()


def test_revoke_without_a_signoff_says_so(world, api_as):
    ids, members = world
    response = api_as(members[Role.APPROVER]).post(f"{item_url(ids)}signoffs/revoke/", {})
    assert response.status_code == 400
    assert "no current sign-off" in error_of(response)["message"]
