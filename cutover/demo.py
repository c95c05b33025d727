"""The demo cutover plan for `manage.py seed_demo`: idempotent, realistic, through the services.

Contoso moves from AX 2012 to Dynamics 365 Finance and Supply Chain Management over one
weekend: Friday 18:00 to Monday 06:00 (Europe/London) around the demo go-live date, with a
2-hour buffer. 37 forward steps (freeze, final backup, delta extracts and loads,
reconciliation, business checks, two go/no-go checkpoints, interfaces, smoke tests,
release, hypercare hand-over) and 3 rollback steps. The project manager, the business owner
and the cutover manager have signed version 1; the IT lead's sign-off is awaited.
"""

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone

from cutover import services
from cutover.models import CutoverPlan
from cutover.schedule import ScheduleStep, compute_schedule
from cutover.services import runs as run_services

TIME_ZONE = "Europe/London"
SIGNOFF_ROLES = ["project_manager", "business_owner", "cutover_manager", "it_lead"]
# Short names of the demo people (projects.demo.DEMO_PEOPLE).
PEOPLE = {
    "facilitator": "facilitator@demo.example.com",  # also the cutover manager
    "pm": "pm@demo.example.com",
    "approver": "approver@demo.example.com",  # business owner
    "approver2": "approver2@demo.example.com",  # IT lead
    "contributor": "contributor@demo.example.com",  # data migration and test lead
}
CHECKPOINT_APPROVERS = ["approver", "approver2"]

# number: (title, category, owner, backup, minutes, predecessors, extra)
ROLLBACK_STEPS = {
    38: ("Rollback: restore D365 production to the Friday restore point", "deployment",
         "approver2", "facilitator", 120, [], {"verification": "Production answers with the "
         "restore point's data; no migrated transactions are left."}),
    39: ("Rollback: reopen AX 2012 to users and restart its batch jobs", "deployment",
         "approver2", "facilitator", 60, [38], {"verification": "A test posting in AX 2012 "
         "succeeds; the batch queue runs."}),
    40: ("Rollback: tell users and partners the go-live is postponed", "communication", "pm",
         "facilitator", 15, [39], {"verification": "Messages sent from the communication plan's "
         "rollback template."}),
}  # fmt: skip
FORWARD_STEPS = {
    1: ("Announce the AX 2012 freeze to users and partners", "communication", "pm", None, 15,
        [], {"verification": "Freeze message sent to all users, carriers and EDI partners."}),
    2: ("Confirm the entry criteria with the steering committee", "business", "approver",
        "pm", 30, [1], {"verification": "Entry criteria all green or accepted, in the minutes."}),
    3: ("Stop AX 2012 batch jobs and outbound integrations", "deployment", "facilitator",
        "approver2", 30, [2], {"verification": "Batch queue empty; integration services stopped."}),
    4: ("Freeze AX 2012: set every user to read-only", "business", "approver", "pm", 30, [3],
        {"rollback": 39, "verification": "No postings after the freeze time in the audit log."}),
    5: ("Post the last legacy transactions and close the period", "business", "approver",
        "contributor", 90, [4], {"verification": "Period closed; trial balance printed."}),
    6: ("Take the final AX 2012 database backup", "deployment", "approver2", "facilitator",
        60, [5], {"verification": "Backup restored to the archive server and checked."}),
    7: ("Extract the final delta: open sales and purchase orders", "data_migration",
        "contributor", "facilitator", 180, [6], {"verification": "Extract counts and order "
        "totals recorded in the control sheet."}),
    8: ("Extract the final delta: inventory on hand and warehouse locations",
        "data_migration", "contributor", "facilitator", 150, [6],
        {"verification": "Quantities per site and warehouse in the control sheet."}),
    9: ("Extract opening balances and control totals", "data_migration", "contributor",
        "approver", 45, [6], {"verification": "Control totals signed by the finance lead."}),
    10: ("Take a restore point of D365 production", "deployment", "approver2", "facilitator",
         45, [2], {"verification": "Restore point listed in the environment's history."}),
    11: ("Put D365 production in maintenance mode", "deployment", "approver2", "facilitator",
         15, [10], {"verification": "Only the migration accounts can sign in."}),
    12: ("Load delta master data: customers, vendors, released products", "data_migration",
         "contributor", "facilitator", 360, [7, 11], {"rollback": 38,
         "verification": "Loaded counts reconcile to the extract counts."}),
    13: ("Load open sales orders", "data_migration", "contributor", "facilitator", 300, [12],
         {"rollback": 38, "verification": "Open order count and value match the control sheet."}),
    14: ("Load open purchase orders", "data_migration", "contributor", "facilitator", 180,
         [12], {"rollback": 38, "verification": "Open order count and value match."}),
    15: ("Load inventory on hand by site, warehouse and location", "data_migration",
         "contributor", "facilitator", 480, [8, 12], {"rollback": 38,
         "verification": "On-hand quantities per warehouse match the extract."}),
    16: ("Load opening general ledger balances", "data_migration", "contributor", "approver",
         90, [9, 12], {"rollback": 38, "verification": "Trial balance equals the AX 2012 one."}),
    17: ("Load open customer and vendor balances", "data_migration", "contributor", "approver",
         120, [16], {"rollback": 38, "verification": "Aged balances agree with the subledgers."}),
    18: ("Run the reconciliation reports against the control totals", "validation",
         "contributor", "facilitator", 180, [13, 14, 15, 17],
         {"verification": "Every reconciliation line green or explained."}),
    19: ("Business sample checks: finance", "validation", "approver", "pm", 240, [18],
         {"verification": "Finance sample sheet signed."}),
    20: ("Business sample checks: warehouse and inventory", "validation", "approver",
         "contributor", 240, [18], {"verification": "Warehouse sample sheet signed."}),
    21: ("Checkpoint 1: data reconciled, go on or roll back", "business", "pm", "facilitator",
         30, [19, 20], {"checkpoint": "Reconciliation reports green or explained; finance and "
         "warehouse samples signed; the plan is on time for the point of no return.",
         "rollback": 38, "verification": "Decision recorded with the approvers' votes."}),
    22: ("Point interfaces at D365 production: bank, EDI, carriers", "deployment",
         "facilitator", "approver2", 90, [21], {"verification": "Test messages flow both ways "
         "with each partner."}),
    23: ("Enable batch jobs, workflows and alerts", "deployment", "facilitator", "approver2",
         60, [22], {"verification": "Batch jobs waiting with their schedules; no errors."}),
    24: ("Continue the number sequences after the legacy numbers", "deployment",
         "facilitator", "contributor", 30, [21],
         {"verification": "Next numbers follow the last AX 2012 numbers."}),
    25: ("Smoke test: order to cash", "validation", "contributor", "approver", 180, [23, 24],
         {"verification": "Smoke script passed; defects logged."}),
    26: ("Smoke test: procure to pay", "validation", "contributor", "approver", 150, [23, 24],
         {"verification": "Smoke script passed; defects logged."}),
    27: ("Smoke test: warehouse mobile devices and label printing", "validation",
         "contributor", "approver", 120, [23], {"fixed": (2, 6, 0), "instructions": "The "
         "warehouse team is on site from Sunday 06:00.",
         "verification": "Every scanner signs in; labels print on each line printer."}),
    28: ("Smoke test: financial reporting and the new period", "validation", "approver",
         "pm", 90, [23, 24], {"verification": "Reports run; the new period is open."}),
    29: ("Sample users sign in with their security roles", "validation", "approver2",
         "facilitator", 60, [21], {"verification": "Ten sample users see their own menus only."}),
    30: ("Triage the smoke-test defects", "support", "facilitator", "contributor", 120,
         [25, 26, 27, 28, 29], {"verification": "Every defect has a decision: fix, workaround "
         "or accept."}),
    31: ("Checkpoint 2: final go/no-go", "business", "pm", "facilitator", 60, [30],
         {"checkpoint": "No open blocking defect without an accepted workaround; business "
         "validation signed; hypercare staffed; the window still holds the buffer.",
         "verification": "The decision and its conditions are recorded."}),
    32: ("Open D365 to users (leave maintenance mode)", "deployment", "approver2",
         "facilitator", 30, [31], {"verification": "First user sign-ins seen."}),
    33: ("Send the go-live announcement with support contacts", "communication", "pm", None,
         15, [32], {"verification": "Announcement sent; the service desk has the known issues."}),
    34: ("Staff the hypercare command centre", "support", "facilitator", "pm", 60, [32],
         {"verification": "Rota published; the bridge line is open."}),
    35: ("Watch the first overnight batch run and the integrations", "support", "facilitator",
         "approver2", 480, [34], {"verification": "Overnight batch finished without errors; "
         "integration queues empty."}),
    36: ("Keep AX 2012 read-only for reference; archive the final backup", "deployment",
         "approver2", None, 30, [32], {"verification": "Archive recorded with its retention."}),
    37: ("Hand over to hypercare", "support", "pm", "facilitator", 60, [33, 35, 36],
         {"verification": "Hand-over signed; the daily hypercare report is scheduled."}),
}  # fmt: skip


def _window(go_live_date):
    """Friday 18:00 to Monday 06:00 in London, the weekend on or before the go-live date."""
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    friday = go_live_date - datetime.timedelta(days=(go_live_date.weekday() - 4) % 7)
    opens = datetime.datetime.combine(friday, datetime.time(18, 0), tzinfo=tz)
    monday = friday + datetime.timedelta(days=3)
    return opens, datetime.datetime.combine(monday, datetime.time(6, 0), tzinfo=tz)


def _add(version, acting_user, people, number, spec, *, is_rollback=False):
    title, category, owner, backup, minutes, predecessors, extra = spec
    fields = {
        "title": title, "category": category, "owner": people[owner],
        "backup_owner": people[backup] if backup else None, "duration_minutes": minutes,
        "predecessors": predecessors, "verification": extra.get("verification", ""),
        "instructions": extra.get("instructions", ""), "is_rollback": is_rollback,
        "rollback_step": extra.get("rollback"),
    }  # fmt: skip
    if "checkpoint" in extra:
        fields.update(
            is_checkpoint=True, checkpoint_criteria=extra["checkpoint"],
            checkpoint_approvers=[people[name] for name in CHECKPOINT_APPROVERS],
        )  # fmt: skip
    if "fixed" in extra:
        days, hour, minute = extra["fixed"]
        opens = version.window_start.astimezone(version.tz)
        day = opens.date() + datetime.timedelta(days=days)
        fields["fixed_start"] = datetime.datetime.combine(
            day, datetime.time(hour, minute), tzinfo=version.tz
        )
    return services.step_add(plan_version=version, acting_user=acting_user, number=number, **fields)


@transaction.atomic
def seed_cutover(seeded):
    """The demo project's cutover plan (once); returns its current version."""
    project = seeded["project"]
    plan = CutoverPlan.objects.filter(project=project).first()
    if plan is not None:
        version = plan.versions.order_by("-number").first()
        seed_rehearsals(version, seeded)
        return version
    people = {short: seeded["people"][email] for short, email in PEOPLE.items()}
    manager = people["facilitator"]
    opens, closes = _window(project.go_live_date)
    version = services.plan_create(
        project=project, acting_user=people["pm"], window_start=opens, window_end=closes,
        time_zone=TIME_ZONE, buffer_minutes=120, signoff_roles=SIGNOFF_ROLES,
    )  # fmt: skip
    for number, spec in ROLLBACK_STEPS.items():
        _add(version, manager, people, number, spec, is_rollback=True)
    for number, spec in FORWARD_STEPS.items():
        _add(version, manager, people, number, spec)
    version.refresh_from_db()
    version = services.plan_update(
        plan_version=version, acting_user=manager, version=version.version,
        point_of_no_return_step=23,
        rollback_deadline=datetime.datetime.combine(
            opens.date() + datetime.timedelta(days=2), datetime.time(0, 0), tzinfo=version.tz
        ),
    )  # fmt: skip
    for short, role in (("pm", "project_manager"), ("approver", "business_owner"),
                        ("facilitator", "cutover_manager")):  # fmt: skip
        services.plan_sign_off(
            plan_version=version, acting_user=people[short], decision="approve", as_role=role,
            comment="Reviewed step by step with the owners." if short == "facilitator" else "",
        )  # fmt: skip
    seed_rehearsals(version, seeded)
    return version


# --- Rehearsals ---------------------------------------------------------------------------
# Two finished rehearsals of version 1, a fortnight apart. The first overran the window by
# 3 h 20 min: the data loads ran long and the inventory load failed once (a finding with its
# action); the second, after the fix, fits with the buffer to spare.

# Step number: minutes more (or less) than planned. In rehearsal 1, step 15's drift is set so
# that the rehearsal ends exactly OVERRUN_1 after the window would have closed.
DRIFTS_1 = {7: 45, 12: 180, 13: 90, 16: 30, 18: 120, 20: 60, 25: 50}
FAILED_1 = 15  # the inventory load: fails after FAILED_AFTER minutes, then runs again
FAILED_AFTER = 300
OVERRUN_1 = 200
DRIFTS_2 = {7: 10, 12: 30, 13: -20, 15: 45, 18: 20, 30: -30}
SKIPPED_2 = (36,)  # not rehearsed: archiving the backup


def _rehearsal_starts(today):
    """Friday 18:00 (London) of the weekend a week or two ago, and the one a fortnight before."""
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    friday = today - datetime.timedelta(days=(today.weekday() - 4) % 7 + 7)
    second = datetime.datetime.combine(friday, datetime.time(18, 0), tzinfo=tz)
    return second - datetime.timedelta(days=14), second


def _actual_schedule(version, steps, edges, start, drifts):
    """When each step would run from ``start`` with the given drifts (fixed starts moved
    with the rehearsal, as the report measures it)."""
    shift = start - version.window_start
    return compute_schedule(
        [
            ScheduleStep(
                step.pk,
                step.duration_minutes + drifts.get(step.number, 0),
                step.fixed_start + shift if step.fixed_start else None,
            )
            for step in steps
        ],
        edges,
        window_start=start,
    )


def _rehearse(version, people, start, drifts, *, failed=None, skipped=(), finding=None):
    """Start a rehearsal at ``start``, have each step's owner mark it as it happened, raise
    the finding from the failed step, and finish it at its last step's end."""
    manager = people["facilitator"]
    steps = list(
        version.steps.filter(is_rollback=False).select_related("owner", "plan_version__plan")
    )
    edges = list(version.dependencies.values_list("predecessor_id", "successor_id"))
    schedule = _actual_schedule(version, steps, edges, start, drifts)
    run = run_services.run_start(plan=version.plan, acting_user=manager, started_at=start)
    marks = []  # (time, order at that time, step, kind, note)
    for step in steps:
        begins, ends = schedule.start[step.pk], schedule.end[step.pk]
        if step.number in skipped:
            marks.append((begins, 0, step, "skipped", "Not rehearsed: done on the day only."))
            continue
        marks.append((begins, 1, step, "started", ""))
        if step.number == failed:
            broke = begins + datetime.timedelta(minutes=FAILED_AFTER)
            marks.append((broke, 0, step, "failed", "Duplicate warehouse locations stop the load."))
            marks.append((broke, 2, step, "started", "Run again after removing the duplicates."))
        marks.append((ends, 0, step, "done", ""))
    # A step's end comes before its successors' start at the same minute.
    for at, _, step, kind, note in sorted(
        marks, key=lambda mark: (mark[0], mark[1], mark[2].number)
    ):
        run_services.step_record(
            run=run, step=step, acting_user=step.owner or manager, kind=kind, at=at, note=note
        )
    if finding is not None:
        step = next(step for step in steps if step.number == failed)
        run_services.step_finding_raise(run=run, step=step, acting_user=step.owner, **finding)
    return run_services.run_finish(run=run, acting_user=manager, ended_at=schedule.planned_end)


def _overrun_drifts(version, steps_edges, start):
    """DRIFTS_1 with the failed step's drift set so the rehearsal overruns by OVERRUN_1."""
    steps, edges = steps_edges
    drifts = dict(DRIFTS_1)
    drifts[FAILED_1] = FAILED_AFTER
    for _ in range(3):  # the end moves minute for minute once the chain is critical
        schedule = _actual_schedule(version, steps, edges, start, drifts)
        length = (schedule.planned_end - start).total_seconds() // 60
        missing = version.window_minutes + OVERRUN_1 - int(length)
        if not missing:
            break
        drifts[FAILED_1] += missing
    return drifts


@transaction.atomic
def seed_rehearsals(version, seeded):
    """The two rehearsals (once)."""
    if version.plan.runs.exists():
        return
    people = {short: seeded["people"][email] for short, email in PEOPLE.items()}
    first, second = _rehearsal_starts(timezone.localdate())
    steps = list(version.steps.filter(is_rollback=False))
    edges = list(version.dependencies.values_list("predecessor_id", "successor_id"))
    _rehearse(
        version, people, first, _overrun_drifts(version, (steps, edges), first), failed=FAILED_1,
        finding={
            "title": "Inventory load fails on duplicate warehouse locations",
            "likelihood": 4, "impact": 4, "is_blocker": False,
            "description": "The load stopped after 5 hours and ran again after the duplicates "
            "were removed by hand.",
            "first_action": {
                "description": "Clean the duplicate locations in AX 2012 and add the check "
                "to the extract",
                "owner": people["contributor"],
                "due_date": timezone.localdate() + datetime.timedelta(days=7),
            },
        },
    )  # fmt: skip
    _rehearse(version, people, second, DRIFTS_2, skipped=SKIPPED_2)
