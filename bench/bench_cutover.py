"""The cutover plan: the critical path of 1,000 steps, and the plan page at 30 and 300 steps.

- Schedule: ``cutover.schedule.compute_schedule`` (forward and backward pass, critical path,
  slack) on a 1,000-step graph with about 2,000 dependencies and some fixed starts, beside
  a floor from the same run: a plain topological sort of the same graph (the standard
  library's ``graphlib``), which any schedule must at least do. Median of repeated runs.
- Page: the plan page (timeline SVG and run sheet) at 30 and 300 steps, in the test client,
  beside the bare-Django floor page of the same HTML size (``bench.common.measure_page``).

Targets (issue 14): the critical path in <= 50 ms; the page within 3x the floor.

Run: .venv/bin/python bench/bench_cutover.py   (``make bench`` runs it through bench/run.py)
"""

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SCHEDULE_TARGET_MS = 50
PAGE_TARGET_RATIO = 3.0


def graph(steps=1000, seed=14):
    """A run sheet's shape: each step waits for 1 to 3 of the 30 before it; every 50th has
    a fixed start."""
    from cutover.schedule import ScheduleStep

    rng = random.Random(seed)
    opens = datetime.datetime(2026, 3, 6, 18, tzinfo=datetime.UTC)
    nodes = [
        ScheduleStep(
            number,
            rng.randint(5, 240),
            opens + datetime.timedelta(hours=number // 20) if number % 50 == 0 else None,
        )
        for number in range(1, steps + 1)
    ]
    edges = set()
    for number in range(2, steps + 1):
        for _ in range(rng.randint(1, 3)):
            edges.add((rng.randint(max(1, number - 30), number - 1), number))
    return nodes, sorted(edges), opens


def _median_ms(work, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure_schedule(steps=1000, repeats=30):
    from graphlib import TopologicalSorter

    from cutover.schedule import compute_schedule

    nodes, edges, opens = graph(steps)

    def schedule():
        return compute_schedule(nodes, edges, window_start=opens)

    def floor():
        sorter = TopologicalSorter({node.id: () for node in nodes})
        for before, after in edges:
            sorter.add(after, before)
        return list(sorter.static_order())

    result = schedule()
    schedule_ms = _median_ms(schedule, repeats)
    floor_ms = _median_ms(floor, repeats)
    return {
        "steps": steps, "dependencies": len(edges), "critical_path_steps": len(result.critical_path),
        "ms": round(schedule_ms, 2), "floor_ms": round(floor_ms, 2),
        "ratio": round(schedule_ms / floor_ms, 2) if floor_ms else None,
        "target_ms": SCHEDULE_TARGET_MS,
    }  # fmt: skip


def seed_plan(steps):
    """A project with a plan of ``steps`` steps (chained, every 10th a checkpoint with two
    approvers), owners and a sign-off; returns (project, a viewer)."""
    from cutover.models import PlanSignOff, Step
    from projects.models import Role
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_cutover_plan

    project = ProjectFactory()
    people = {}
    for role in (Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER):
        people[role] = UserFactory()
        MembershipFactory(project=project, user=people[role], role=role,
                          signoff_roles=["business_owner"] if role == Role.APPROVER else [])  # fmt: skip
    version = make_cutover_plan(project, steps=steps, owner=people[Role.CONTRIBUTOR])
    Step.objects.filter(plan_version=version).update(
        instructions="Run the package from the release share; watch the job log.",
    )
    approvers = Step.checkpoint_approvers.through
    approvers.objects.bulk_create(
        approvers(step_id=pk, user_id=people[Role.APPROVER].pk)
        for pk in version.steps.filter(is_checkpoint=True).values_list("pk", flat=True)
    )
    PlanSignOff.objects.create(
        plan_version=version, signer=people[Role.APPROVER], as_role="business_owner",
        decision="approve", signed_version=1,
    )  # fmt: skip
    return project, people[Role.VIEWER]


def measure_pages(requests=30):
    """The plan page at 30 and 300 steps; and, for scale, the same page of a project without
    a plan (what every page of the site costs before its own content)."""
    from django.test import Client
    from django.urls import reverse

    from cutover.models import CutoverPlan

    rows = {}
    project, viewer = seed_plan(1)
    CutoverPlan.objects.filter(project=project).delete()
    client = Client()
    client.force_login(viewer)
    rows[0] = common.measure_page(
        client, reverse("cutover:plan", args=[project.pk]), requests=requests
    )
    for steps in (30, 300):
        project, viewer = seed_plan(steps)
        client = Client()
        client.force_login(viewer)
        rows[steps] = common.measure_page(
            client, reverse("cutover:plan", args=[project.pk]), requests=requests
        )
    return rows


def run(requests=30, repeats=30, setup=True):
    if setup:
        common.setup()
    figures = {"schedule": measure_schedule(repeats=repeats)}
    pages = measure_pages(requests=requests)
    figures["pages"] = {str(steps): row for steps, row in pages.items()}
    figures["ok"] = figures["schedule"]["ms"] <= SCHEDULE_TARGET_MS and all(
        row["ratio"] <= PAGE_TARGET_RATIO for steps, row in pages.items() if steps
    )
    return figures


def lines(figures):
    schedule = figures["schedule"]
    out = [
        f"Cutover schedule, {schedule['steps']:,} steps and {schedule['dependencies']:,} "
        f"dependencies: {schedule['ms']:.2f} ms (critical path of "
        f"{schedule['critical_path_steps']} steps; target <= {schedule['target_ms']} ms); "
        f"floor, a plain topological sort of the same graph: {schedule['floor_ms']:.2f} ms "
        f"({schedule['ratio']}x).",
        "Cutover plan page (in-process test client, warm, median; floor = bare Django page "
        f"of the same size; target <= {PAGE_TARGET_RATIO:.0f}x):",
        common.HEADER,
    ]
    for steps, row in figures["pages"].items():
        name = f"plan, {steps} steps" if steps != "0" else "no plan yet (for scale)"
        out.append(common.format_row(name, row))
    out.append("OK" if figures["ok"] else "NOT OK")
    return out


def main():
    return common.report(run(), lines)


if __name__ == "__main__":
    sys.exit(main())
