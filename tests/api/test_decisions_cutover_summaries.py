"""Decisions with their snapshot, cutover steps and marks, summaries through the API."""

from cutover.models import StepEvent
from decisions.models import Decision
from projects.models import Role
from summaries.models import SummaryReport
from tests.api.conftest import error_of


def project(ids):
    return f"/api/v1/projects/{ids['project_pk']}/"


def test_decision_list_and_its_frozen_snapshot(world, api_as):
    ids, members = world
    Decision.objects.filter(pk=ids["decision_pk"]).update(snapshot={"score": {"percent": 72}})
    client = api_as(members[Role.VIEWER])
    listed = client.get(f"{project(ids)}decisions/").json()["results"]
    assert [row["id"] for row in listed] == [ids["decision_pk"]]
    assert "snapshot" not in listed[0]
    detail = client.get(f"{project(ids)}decisions/{ids['decision_pk']}/").json()
    assert detail["snapshot"] == {"score": {"percent": 72}}
    assert detail["outcome"] == "conditional_go"


def test_cutover_steps_and_runs_are_listed(world, api_as):
    ids, members = world
    client = api_as(members[Role.VIEWER])
    steps = client.get(f"{project(ids)}cutover/steps/").json()
    assert steps["count"] == 3
    assert [s["number"] for s in steps["results"]] == [1, 2, 3]
    runs = client.get(f"{project(ids)}cutover/runs/").json()["results"]
    assert [(r["id"], r["status"]) for r in runs] == [(ids["run_pk"], "running")]


def test_step_marked_done_then_the_next_started(world, api_as):
    ids, members = world
    client = api_as(members[Role.PROJECT_MANAGER])
    run = f"{project(ids)}cutover/runs/{ids['run_pk']}/steps/"
    done = client.post(f"{run}{ids['step_pk']}/marks/", {"kind": "done", "seen": ids["event_pk"]})
    assert done.status_code == 201, done.json()
    next_step = client.get(f"{project(ids)}cutover/steps/").json()["results"][1]["id"]
    started = client.post(f"{run}{next_step}/marks/", {"kind": "started"})
    assert started.status_code == 201, started.json()
    kinds = list(
        StepEvent.objects.filter(run=ids["run_pk"]).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["started", "done", "started"]


def test_step_mark_on_a_stale_view_is_a_409(world, api_as):
    ids, members = world
    client = api_as(members[Role.PROJECT_MANAGER])
    url = f"{project(ids)}cutover/runs/{ids['run_pk']}/steps/{ids['step_pk']}/marks/"
    response = client.post(url, {"kind": "done", "seen": 0})
    assert response.status_code == 409
    assert "marked step 1 started" in error_of(response)["message"]


def test_step_mark_out_of_order_is_refused_with_a_message(world, api_as):
    ids, members = world
    client = api_as(members[Role.PROJECT_MANAGER])
    third = client.get(f"{project(ids)}cutover/steps/").json()["results"][2]["id"]
    url = f"{project(ids)}cutover/runs/{ids['run_pk']}/steps/{third}/marks/"
    response = client.post(url, {"kind": "started"})
    assert response.status_code == 400
    assert "waits for its predecessors" in error_of(response)["message"]


def test_viewer_cannot_mark_a_step(world, api_as):
    ids, members = world
    url = f"{project(ids)}cutover/runs/{ids['run_pk']}/steps/{ids['step_pk']}/marks/"
    response = api_as(members[Role.VIEWER]).post(url, {"kind": "done"})
    assert response.status_code == 403
    assert "owner" in error_of(response)["message"]


def test_summary_request_status_and_download(world, api_as):
    ids, members = world
    client = api_as(members[Role.FACILITATOR])
    url = f"{project(ids)}reviews/{ids['review_pk']}/summaries/"
    requested = client.post(url, {"send": False})
    assert requested.status_code == 202, requested.json()
    report = SummaryReport.objects.get(pk=requested.json()["id"])
    assert report.requested_by == members[Role.FACILITATOR]
    status = client.get(f"{project(ids)}summaries/{report.pk}/").json()
    assert status["status"] == report.status
    ready = client.get(f"{project(ids)}summaries/{ids['summary_pk']}/").json()
    assert ready["pdf_url"].endswith(f"/summaries/{ids['summary_pk']}/pdf/")
    download = api_as(members[Role.VIEWER]).get(f"{project(ids)}summaries/{ids['summary_pk']}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_summary_not_ready_has_no_pdf(world, api_as):
    ids, members = world
    SummaryReport.objects.filter(pk=ids["summary_pk"]).update(status="rendering")
    response = api_as(members[Role.VIEWER]).get(f"{project(ids)}summaries/{ids['summary_pk']}/pdf/")
    assert response.status_code == 404
    error_of(response)


def test_contributor_cannot_request_a_summary(world, api_as):
    ids, members = world
    before = SummaryReport.objects.count()
    response = api_as(members[Role.CONTRIBUTOR]).post(
        f"{project(ids)}reviews/{ids['review_pk']}/summaries/", {}
    )
    assert response.status_code == 403
    assert "facilitator or the project manager" in error_of(response)["message"]
    assert SummaryReport.objects.count() == before
