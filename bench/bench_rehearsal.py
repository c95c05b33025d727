"""Rehearsals: where a run stands for 1,000 steps, and the run sheet and the report at 30
and 300 steps.

- State: ``cutover.progress.run_state`` (statuses, corrections, drift, expected finish, the
  actual critical path) of a 1,000-step graph with half its steps done and every start
  corrected once, beside the plan's own schedule of the same graph (``compute_schedule``,
  which run_state calls once) as the floor. Median of repeated runs.
- Pages: the run sheet in run mode and the report of a rehearsal with half its steps done,
  at 30 and 300 steps, in the test client, beside the bare-Django floor page of the same
  HTML size (``bench.common.measure_page``), with their query counts.

Run: .venv/bin/python bench/bench_rehearsal.py
"""

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.bench_cutover import _median_ms, graph, seed_plan


@dataclass
class Event:
    id: int
    step_id: int
    kind: str
    at: datetime.datetime
    corrects_id: int = None


def events_for(nodes, schedule, share=0.5):
    """The first ``share`` of the steps started and done a little late, each start corrected."""
    done = nodes[: int(len(nodes) * share)]
    made, number = [], 0
    for node in done:
        start = schedule.start[node.id] + datetime.timedelta(minutes=5)
        for kind, at in (
            ("started", start),
            ("done", schedule.end[node.id] + datetime.timedelta(minutes=9)),
        ):
            number += 1
            made.append(Event(number, node.id, kind, at))
        number += 1
        made.append(
            Event(number, node.id, "corrected", start - datetime.timedelta(minutes=2), number - 2)
        )
    return made


def measure_state(steps=1000, repeats=20):
    from cutover.progress import run_state
    from cutover.schedule import compute_schedule

    nodes, edges, opens = graph(steps)
    schedule = compute_schedule(nodes, edges, window_start=opens)
    events = events_for(nodes, schedule)
    now = max(event.at for event in events)

    def state():
        return run_state(nodes, edges, events, window_start=opens, window_minutes=60 * 24 * 30,
                         buffer_minutes=120, now=now)  # fmt: skip

    def floor():
        return compute_schedule(nodes, edges, window_start=opens)

    result = state()
    state_ms, floor_ms = _median_ms(state, repeats), _median_ms(floor, repeats)
    return {
        "steps": steps, "events": len(events), "critical_path_steps": len(result.critical_path),
        "ms": round(state_ms, 2), "floor_ms": round(floor_ms, 2),
        "ratio": round(state_ms / floor_ms, 2) if floor_ms else None,
    }  # fmt: skip


def seed_rehearsal(steps):
    """A plan of ``steps`` steps with a running rehearsal, half its steps done (bulk)."""
    from django.utils import timezone

    from cutover.models import CutoverRun, StepEvent

    project, viewer = seed_plan(steps)
    version = project.cutover_plan.versions.get()
    owner = version.steps.first().owner
    start = timezone.now() - datetime.timedelta(minutes=30 * steps)
    run = CutoverRun.objects.create(
        plan=version.plan, plan_version=version, kind="rehearsal", number=1, started_at=start,
        started_by=owner,
    )  # fmt: skip
    half = list(version.steps.order_by("number"))[: steps // 2]
    StepEvent.objects.bulk_create(
        StepEvent(run=run, step=step, kind=kind, by=owner,
                  at=start + datetime.timedelta(minutes=35 * index + (35 if kind == "done" else 0)))
        for index, step in enumerate(half)
        for kind in ("started", "done")
    )  # fmt: skip
    return project, viewer, run


def measure_pages(requests=30):
    from django.test import Client
    from django.urls import reverse

    rows = {}
    for steps in (30, 300):
        project, viewer, run = seed_rehearsal(steps)
        client = Client()
        client.force_login(viewer)
        for page in ("run", "run_report"):
            url = reverse(f"cutover:{page}", args=[project.pk, run.pk])
            rows[f"{'run sheet' if page == 'run' else 'report'}, {steps} steps"] = (
                common.measure_page(client, url, requests=requests)
            )
    return rows


def run(requests=30, repeats=20, setup=True):
    if setup:
        common.setup()
    return {"state": measure_state(repeats=repeats), "pages": measure_pages(requests=requests)}


def lines(figures):
    state = figures["state"]
    out = [
        f"Run state, {state['steps']:,} steps and {state['events']:,} events: {state['ms']:.2f} ms "
        f"(actual critical path of {state['critical_path_steps']} steps); floor, the plan's "
        f"schedule of the same graph: {state['floor_ms']:.2f} ms ({state['ratio']}x).",
        "Rehearsal pages (in-process test client, warm, median; floor = bare Django page of "
        "the same size):",
        common.HEADER,
    ]
    out += [common.format_row(name, row) for name, row in figures["pages"].items()]
    return out


def main():
    print("\n".join(lines(run())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
