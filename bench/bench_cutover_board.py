"""The live cutover board at 30 and 300 steps, beside a bare page of the same size.

A rehearsal of the plan (``bench_cutover.seed_plan``: chained steps, every 10th a checkpoint
with an approver) is running: its first half is done (its checkpoints went on), the next step runs. The board page and
its polled fragment (what every watcher fetches every 10 s) are measured in the test client,
warm, median, beside the bare-Django floor page of the same HTML size
(``bench.common.measure_page``). The query count does not grow with the steps.

Run: .venv/bin/python bench/bench_cutover_board.py
"""

import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.bench_cutover import seed_plan

TARGET_RATIO = 3.0


def seed_run(project):
    from django.utils import timezone

    from cutover.models import CheckpointOutcome, CutoverRun, StepEvent

    version = project.cutover_plan.versions.get()
    owner = version.steps.first().owner
    started = timezone.now() - datetime.timedelta(hours=8)
    run = CutoverRun.objects.create(
        plan=version.plan, plan_version=version, kind="rehearsal", number=1,
        started_at=started, started_by=owner,
    )  # fmt: skip
    steps = list(version.steps.order_by("number"))
    half = len(steps) // 2
    minute = datetime.timedelta(minutes=1)
    events = []
    for index, step in enumerate(steps[: half + 1]):
        at = started + index * 2 * minute
        events.append(StepEvent(run=run, step=step, kind="started", at=at, by=owner))
        if index < half:
            events.append(StepEvent(run=run, step=step, kind="done", at=at + minute, by=owner))
    StepEvent.objects.bulk_create(events)
    # The checkpoints passed went on (a run does not go past an undecided one).
    CheckpointOutcome.objects.bulk_create(
        CheckpointOutcome(run=run, step=step, outcome="go_on", decided_by=owner,
                          decided_at=started + (index * 2 + 1) * minute)
        for index, step in enumerate(steps[:half]) if step.is_checkpoint
    )  # fmt: skip
    return run


def run(requests=30, setup=True):
    if setup:
        common.setup()
    from django.test import Client
    from django.urls import reverse

    rows = {}
    for steps in (30, 300):
        project, viewer = seed_plan(steps)
        seed_run(project)
        client = Client()
        client.force_login(viewer)
        url = reverse("cutover:board", args=[project.pk])
        rows[f"board, {steps} steps"] = common.measure_page(client, url, requests=requests)
        client.defaults["HTTP_HX_REQUEST"] = "true"
        rows[f"board fragment, {steps} steps"] = common.measure_page(client, url, requests=requests)
    ok = all(row["ratio"] <= TARGET_RATIO for row in rows.values())
    return {"pages": rows, "ok": ok}


def main():
    figures = run()
    print(
        "Cutover board (in-process test client, warm, median; floor = bare Django page of the "
        f"same size; target <= {TARGET_RATIO:.0f}x):"
    )
    print(common.HEADER)
    for name, row in figures["pages"].items():
        print(common.format_row(name, row))
    print("OK" if figures["ok"] else "NOT OK")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
