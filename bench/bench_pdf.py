"""Summary PDF of a normal review (85 items, 30 risks, 60 actions), beside raw WeasyPrint.

Every render runs in its own process, so the peak memory (ru_maxrss) belongs to it:
- "summary": what the worker does, reading the database, rendering the templates,
  laying out with WeasyPrint, counting the pages;
- "raw": WeasyPrint alone on the same HTML (saved by the seeding process), same CSS.
Each process renders REPEATS times: the first render pays the font set-up (a cold
worker); the best of the others is what a running worker sees. Target: the summary in
<= 1.5 s and <= 1.2x the raw render.

Run: .venv/bin/python bench/bench_pdf.py      (or ``bench.bench_pdf.run()``)
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEMS, RISKS, ACTIONS = 85, 30, 60
REPEATS = 4
TARGET_SECONDS = 1.5
TARGET_RATIO = 1.2


# --- Child processes ------------------------------------------------------------------------


def _django(db_path):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()


def _seed(db_path, html_path):
    """Create the database and a normal review; save its summary HTML; print the review id."""
    _django(db_path)
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from decisions.models import Decision, DecisionCondition, Vote
    from projects.models import Membership, Role
    from reviews.models import ReviewItem, SignOff
    from reviews.services.checklists import checklist_load_default
    from reviews.services.reviews import review_create
    from risks.models import MitigationAction, Risk
    from summaries.pdf import summary_html
    from tests.factories import ProjectFactory, UserFactory

    today = timezone.localdate()
    project = ProjectFactory(
        name="Contoso Finance & Operations go-live", customer="Contoso Ltd",
        scopes=["finance_operations", "ax2012_upgrade"],
    )  # fmt: skip
    people = {}
    for role, names in (
        (Role.FACILITATOR, ["Fiona Facilitator"]),
        (Role.PROJECT_MANAGER, ["Paul Manager"]),
        (Role.APPROVER, ["Alice Approver", "Arjun Approver", "Amir Approver"]),
        (Role.CONTRIBUTOR, ["Carla Contributor", "Chen Contributor", "Dora Data"]),
    ):
        for name in names:
            user = UserFactory(full_name=name)
            Membership.objects.create(project=project, user=user, role=role)
            people.setdefault(role, []).append(user)
    facilitator = people[Role.FACILITATOR][0]
    template, _ = checklist_load_default()
    review = review_create(
        project=project, template=template, acting_user=facilitator,
        title="Go-live readiness review (4 weeks out)", scheduled_date=today,
        facilitator=facilitator,
    )  # fmt: skip
    items = list(review.items.order_by("section__order", "order"))
    ReviewItem.objects.filter(pk__in=[i.pk for i in items[ITEMS:]]).delete()
    items = items[:ITEMS]
    owners = people[Role.CONTRIBUTOR] + people[Role.PROJECT_MANAGER] + [facilitator]
    statuses = ["done", "done", "done", "in_progress", "at_risk", "not_started", "accepted_risk"]
    signoffs = []
    for n, item in enumerate(items):
        item.status = statuses[n % len(statuses)]
        item.owner = owners[n % len(owners)]
        item.response = (
            "Evidence reviewed in the workshop: test reports, sign-off minutes and the "
            "defect log are linked. Two follow-ups agreed with the business owner. "
        ) * (1 + n % 2)
        item.due_date = today + datetime.timedelta(days=n % 20 - 5)
        item.is_blocker = n % 11 == 0
        item.blocker_reason = "Cutover cannot start without it." if item.is_blocker else ""
        if item.status == "done":
            for approver in people[Role.APPROVER][: 1 + n % 3]:
                signoffs.append(
                    SignOff(item=item, signer=approver, decision="approve", item_version=1)
                )
    ReviewItem.objects.bulk_update(
        items, ["status", "owner", "response", "due_date", "is_blocker", "blocker_reason"]
    )
    SignOff.objects.bulk_create(signoffs)
    categories = ["data", "testing", "integration", "cutover", "people", "security"]
    risks = Risk.objects.bulk_create(
        Risk(
            project=project, number=n + 1, review=review, review_item=items[n * 2],
            title=f"Finding {n + 1}: interface retries missing under month-end peak load",
            description="What could go wrong, why, and what it would cost the go-live.",
            type="issue" if n % 5 == 0 else "risk", category=categories[n % 6],
            status="mitigating" if n % 3 else "open", likelihood=n % 5 + 1,
            impact=(n * 3) % 5 + 1, is_blocker=n % 7 == 0,
            workaround="Run the nightly batch by hand during hypercare." if n % 7 == 0 else "",
            raised_by=facilitator,
        )
        for n in range(RISKS)
    )  # fmt: skip
    MitigationAction.objects.bulk_create(
        MitigationAction(
            risk=risks[n // 2], owner=owners[n % len(owners)],
            description=f"Action {n + 1}: rehearse the step and record timings in the runbook",
            due_date=today + datetime.timedelta(days=n % 25 - 8), created_by=facilitator,
        )
        for n in range(ACTIONS)
    )  # fmt: skip
    decision = Decision.objects.create(
        review=review, opened_by=facilitator, status="recorded", outcome="conditional_go",
        rationale="Ready with two conditions on data migration and training.",
        recorded_by=facilitator, recorded_at=timezone.now(), snapshot={},
    )  # fmt: skip
    for approver, choice in zip(people[Role.APPROVER], ["go", "go", "no_go"], strict=True):
        Vote.objects.create(decision=decision, voter=approver, choice=choice, comment="Agreed.")
    for n in range(2):
        DecisionCondition.objects.create(
            decision=decision, description=f"Condition {n + 1}: dry run 4 fits the window",
            owner=owners[n], due_date=today + datetime.timedelta(days=10 + n),
        )  # fmt: skip
    Path(html_path).write_text(summary_html(review), encoding="utf-8")
    print(json.dumps({"review": review.pk}))


def _peak_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _render_summary(db_path, review_id, repeats):
    """The worker's path: database + templates + WeasyPrint + page count."""
    _django(db_path)
    import weasyprint  # noqa: F401  (imported before timing, as the raw process does)

    from reviews.models import Review
    from summaries.pdf import render_summary

    before = _peak_mb()
    seconds, pages = [], 0
    for _ in range(repeats):
        review = Review.objects.select_related("project", "facilitator").get(pk=review_id)
        start = time.perf_counter()
        pdf, pages = render_summary(review)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "pages": pages, "bytes": len(pdf),
                      "baseline_mb": before, "peak_mb": _peak_mb()}))  # fmt: skip


def _render_raw(html_path, repeats):
    """WeasyPrint alone, on the same HTML with the same stylesheet (no Django)."""
    from weasyprint import HTML

    html = Path(html_path).read_text(encoding="utf-8")
    base_url = (ROOT / "static").as_uri() + "/"
    before = _peak_mb()
    seconds, pages = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        document = HTML(string=html, base_url=base_url).render()
        pdf = document.write_pdf()
        pages = len(document.pages)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "pages": pages, "bytes": len(pdf),
                      "baseline_mb": before, "peak_mb": _peak_mb()}))  # fmt: skip


# --- The parent --------------------------------------------------------------------------------


def _child(*args):
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key")}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summarise(raw):
    seconds = raw["seconds"]
    return {
        "cold_s": round(seconds[0], 3),
        "warm_s": round(min(seconds[1:] or seconds), 3),
        "median_warm_s": round(statistics.median(seconds[1:] or seconds), 3),
        "pages": raw["pages"],
        "kb": round(raw["bytes"] / 1024),
        "peak_mb": round(raw["peak_mb"], 1),
        "render_mb": round(raw["peak_mb"] - raw["baseline_mb"], 1),
    }


def run(repeats=REPEATS):
    """Seed, render both ways in fresh processes; return the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        db_path = Path(folder) / "bench.sqlite3"
        html_path = Path(folder) / "summary.html"
        review_id = _child("seed", db_path, html_path)["review"]
        summary = _summarise(_child("summary", db_path, review_id, repeats))
        raw = _summarise(_child("raw", html_path, repeats))
    ratio = summary["warm_s"] / raw["warm_s"]
    return {
        # The flat figures bench/run.py prints (its pdf_line) ...
        "seconds": summary["warm_s"],
        "first_seconds": summary["cold_s"],
        "raw_seconds": raw["warm_s"],
        "pages": summary["pages"],
        "kb": summary["kb"],
        "peak_rss_mb": summary["peak_mb"],
        "render_rss_growth_mb": summary["render_mb"],
        "raw_rss_growth_mb": raw["render_mb"],
        "renders": repeats,
        # ... and both sides in full.
        "items": ITEMS,
        "risks": RISKS,
        "actions": ACTIONS,
        "summary": summary,
        "raw": raw,
        "ratio": round(ratio, 2),
        "cold_ratio": round(summary["cold_s"] / raw["cold_s"], 2),
        "target_seconds": TARGET_SECONDS,
        "target_ratio": TARGET_RATIO,
        "ok": summary["warm_s"] <= TARGET_SECONDS and ratio <= TARGET_RATIO,
    }


def print_figures(figures):
    s, r = figures["summary"], figures["raw"]
    print(
        f"Summary PDF of a review with {figures['items']} items, {figures['risks']} risks, "
        f"{figures['actions']} actions ({s['pages']} A4 pages, {s['kb']} KB):"
    )
    print(f"  {'':<22} {'warm':>8} {'cold':>8} {'peak RSS':>10} {'render':>9}")
    for name, row in (("summary (worker path)", s), ("raw WeasyPrint", r)):
        print(
            f"  {name:<22} {row['warm_s']:>7.2f}s {row['cold_s']:>7.2f}s "
            f"{row['peak_mb']:>8.0f}MB {row['render_mb']:>7.0f}MB"
        )
    print(
        f"  ratio summary / raw: {figures['ratio']:.2f}x warm, {figures['cold_ratio']:.2f}x cold "
        f"(target <= {figures['target_ratio']}x, <= {figures['target_seconds']} s)"
    )
    print("  OK" if figures["ok"] else "  NOT OK")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        if kind == "seed":
            _seed(*args)
        elif kind == "summary":
            _render_summary(args[0], int(args[1]), int(args[2]))
        else:
            _render_raw(args[0], int(args[1]))
        return 0
    figures = run()
    print_figures(figures)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
