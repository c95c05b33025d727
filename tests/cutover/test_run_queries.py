"""The run sheet in run mode, a mark's answer, the report and the rehearsals page make as
many queries at 300 steps as at 30."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cutover.models import CutoverRun, StepEvent, StepFinding
from projects.models import Role
from tests.factories import make_cutover_plan

# Session and user, the project with my role; the run (with its plan and version); the
# members' names; the steps; the dependencies; the events; the findings. The report adds
# the finished rehearsals, their steps, dependencies and events (one query each).
# The runs page reads its planned rehearsals (one query, two with any planned).
MAX_QUERIES = {"run": 9, "mark": 16, "report": 13, "runs": 11}


@pytest.fixture(params=[30, 300], ids=["30-steps", "300-steps"])
def big_run(request, project, members):
    """A rehearsal of a plan of N steps (a chain), half of them done with a correction each,
    one running; an earlier finished rehearsal; a finding."""
    owner = members[Role.CONTRIBUTOR]
    pm = members[Role.PROJECT_MANAGER]
    version = make_cutover_plan(project, steps=request.param, owner=owner)
    steps = list(version.steps.order_by("number"))
    start = timezone.now() - datetime.timedelta(minutes=30 * len(steps))
    runs = []
    for number, status in ((1, "finished"), (2, "running")):
        run = CutoverRun.objects.create(
            plan=version.plan, plan_version=version, kind="rehearsal", number=number,
            status=status, started_at=start, started_by=pm,
            ended_at=timezone.now() if status == "finished" else None,
        )  # fmt: skip
        half = steps[: len(steps) // 2]
        events = []
        for index, step in enumerate(half):
            began = start + datetime.timedelta(minutes=35 * index)
            events.append(StepEvent(run=run, step=step, kind="started", at=began, by=owner))
            events.append(
                StepEvent(
                    run=run,
                    step=step,
                    kind="done",
                    by=owner,
                    at=began + datetime.timedelta(minutes=35),
                )
            )
        events.append(
            StepEvent(
                run=run,
                step=steps[len(half)],
                kind="started",
                by=owner,
                at=start + datetime.timedelta(minutes=35 * len(half)),
            )
        )
        created = StepEvent.objects.bulk_create(events)
        StepEvent.objects.bulk_create(
            StepEvent(
                run=run,
                step_id=event.step_id,
                kind="corrected",
                by=pm,
                corrects=event,
                at=event.at - datetime.timedelta(minutes=1),
                note="Pressed late",
            )
            for event in created
            if event.kind == "started"
        )
        runs.append(run)
    from risks.services import risk_create

    risk = risk_create(
        project=project, acting_user=pm, title="Load slow", type="issue", likelihood=3, impact=3
    )
    StepFinding.objects.create(run=runs[1], step=steps[0], risk=risk, created_by=pm)
    return runs[1], steps


def test_run_sheet_query_count(
    client_for, project, members, big_run, django_assert_max_num_queries
):
    run, steps = big_run
    client = client_for(members[Role.VIEWER])
    with django_assert_max_num_queries(MAX_QUERIES["run"]):
        response = client.get(reverse("cutover:run", args=[project.pk, run.pk]))
    assert response.status_code == 200
    assert response.text.count('class="list-group-item run-row') == len(steps)
    assert response.text.count("Pressed late") == len(steps) // 2 + 1


def test_mark_answer_query_count(
    client_for, project, members, big_run, django_assert_max_num_queries
):
    run, steps = big_run
    step = steps[len(steps) // 2]  # the running one
    last = StepEvent.objects.filter(run=run, step=step).exclude(kind="corrected").get()
    client = client_for(members[Role.CONTRIBUTOR])
    with django_assert_max_num_queries(MAX_QUERIES["mark"]):
        response = client.post(
            reverse("cutover:step_mark", args=[project.pk, run.pk, step.pk]),
            {"kind": "done", "seen": last.pk}, HTTP_HX_REQUEST="true",
        )  # fmt: skip
    assert response.status_code == 200
    assert "Done" in response.text


def test_report_query_count(client_for, project, members, big_run, django_assert_max_num_queries):
    run, _steps = big_run
    client = client_for(members[Role.VIEWER])
    with django_assert_max_num_queries(MAX_QUERIES["report"]):
        response = client.get(reverse("cutover:run_report", args=[project.pk, run.pk]))
    assert response.status_code == 200
    assert "Rehearsal 1" in response.text  # the trend


def test_rehearsals_page_query_count(
    client_for, project, members, big_run, django_assert_max_num_queries
):
    client = client_for(members[Role.VIEWER])
    with django_assert_max_num_queries(MAX_QUERIES["runs"]):
        response = client.get(reverse("cutover:runs", args=[project.pk]))
    assert response.status_code == 200
