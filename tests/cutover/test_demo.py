"""The demo cutover plan: 40 steps of an AX 2012 to D365 weekend, signed but for one role."""

import pytest
from django.core.management import call_command

from cutover import run_selectors, selectors
from cutover.models import CutoverPlan, PlanVersion
from projects.demo import DEMO_PROJECT_NAME
from projects.models import Project
from projects.selectors import project_access


@pytest.fixture
def demo_version(db, tmp_path):
    with open(tmp_path / "out.txt", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return PlanVersion.objects.get(plan__project__name=DEMO_PROJECT_NAME)


def test_demo_plan_is_a_realistic_weekend(demo_version):
    version = demo_version
    opens, closes = (
        moment.astimezone(version.tz) for moment in (version.window_start, version.window_end)
    )
    assert (opens.strftime("%a %H:%M"), closes.strftime("%a %H:%M")) == ("Fri 18:00", "Mon 06:00")
    assert version.time_zone == "Europe/London"
    assert version.buffer_minutes == 120
    project = version.plan.project
    assert abs((project.go_live_date - closes.date()).days) <= 4  # the weekend nearest go-live
    steps = version.steps.all()
    assert steps.count() == 40
    assert steps.filter(is_checkpoint=True).count() == 2
    assert steps.filter(is_rollback=True).count() == 3
    assert not steps.filter(owner__isnull=True).exists()
    assert version.dependencies.count() > 40
    assert version.point_of_no_return_step.number == 23


def test_demo_plan_fits_and_awaits_the_it_lead(demo_version):
    from accounts.models import User

    version = demo_version
    viewer = User.objects.get(email="viewer@demo.example.com")
    view = selectors.plan_view(project_access(user=viewer, project=version.plan.project), version)
    assert view.fit.kind == "fits"
    assert view.fit.sentence.startswith("fits with ")
    assert view.awaited_roles == ["IT lead"]
    assert version.status == "draft"
    assert sorted(s.as_role for s in view.signoff_state.approvals) == [
        "business_owner", "cutover_manager", "project_manager",
    ]  # fmt: skip


def test_seed_demo_twice_changes_nothing(demo_version, tmp_path):
    from cutover.models import StepEvent

    events = StepEvent.objects.filter(run__plan=demo_version.plan).count()
    with open(tmp_path / "again.txt", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    assert CutoverPlan.objects.filter(project=project).count() == 1
    assert PlanVersion.objects.filter(plan__project=project).count() == 1
    assert demo_version.steps.count() == 40
    assert demo_version.plan.runs.count() == 2
    assert StepEvent.objects.filter(run__plan=demo_version.plan).count() == events


def test_demo_rehearsals_the_first_overran_the_second_fits(demo_version):
    from cutover.models import CutoverRun, StepFinding

    project = demo_version.plan.project
    runs = list(CutoverRun.objects.filter(plan__project=project).order_by("number"))
    assert [(run.kind, run.number, run.status) for run in runs] == [
        ("rehearsal", 1, "finished"), ("rehearsal", 2, "finished"),
    ]  # fmt: skip
    trend = run_selectors.rehearsal_trend(demo_version.plan)
    first, second = (run_selectors.rehearsal_fit(line) for line in trend.lines)
    assert first.sentence == "Rehearsal 1 overran the window by 3 h 20 min"
    assert not first.fits
    assert second.fits
    assert second.sentence.startswith("Rehearsal 2 fits the window with ")
    assert run_selectors.last_rehearsal_fits(project) == second
    # The data loads drifted; the inventory load failed once and became a finding.
    first_state = trend.lines[0].state
    by_number = {step.number: step.pk for step in demo_version.steps.all()}
    assert first_state[by_number[12]].drift == 180
    assert first_state[by_number[15]].drift > 300
    finding = StepFinding.objects.get(run=runs[0])
    assert finding.step.number == 15
    assert finding.risk.actions.count() == 1
    assert runs[1].events.filter(kind="skipped").count() == 1


def test_demo_rehearsal_report_and_run_sheet_render(demo_version, client):
    from accounts.models import User
    from cutover.models import CutoverRun

    project = demo_version.plan.project
    client.force_login(User.objects.get(email="viewer@demo.example.com"))
    first = CutoverRun.objects.get(plan__project=project, number=1)
    report = client.get(f"/projects/{project.pk}/cutover/runs/{first.pk}/report/").text
    assert "overruns by 3 h 20 min" in report
    assert "Does not fit the window with the buffer" in report
    sheet = client.get(f"/projects/{project.pk}/cutover/runs/{first.pk}/").text
    assert "Inventory load fails on duplicate" in sheet
