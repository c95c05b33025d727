"""Demo risk register for `manage.py seed_demo`: idempotent, realistic, small.

Findings are created through the services (so they carry history) and looked up
by title first, so running the command again changes nothing. When the demo
project has a review, findings are linked to its checklist items by key.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from risks import services
from risks.models import Risk, RiskStatus

# Short names of the demo people (projects.demo.DEMO_PEOPLE).
PEOPLE = {
    "facilitator": "facilitator@demo.example.com",
    "pm": "pm@demo.example.com",
    "approver": "approver@demo.example.com",
    "approver2": "approver2@demo.example.com",
    "contributor": "contributor@demo.example.com",
}

# title, type, category, likelihood, impact, item key, raised by, extra fields,
# actions as (description, owner, due in days, status), and the finding's end state.
FINDINGS = [
    {
        "title": "Data migration dry run exceeds the cutover window",
        "type": "risk", "category": "data", "likelihood": 4, "impact": 5, "item": "dm-dry-runs",
        "raised_by": "facilitator", "is_blocker": True,
        "description": "The third dry run took 31 hours against a 24-hour cutover window; open "
        "purchase orders and inventory on hand are the slowest entities.",
        "recommendation": "Tune the parallel loads and rehearse again before the mock cutover.",
        "workaround": "Load closed purchase-order history after go-live; only open documents "
        "move during the cutover weekend.",
        "actions": [
            ("Parallelise the inventory and open purchase order loads; run dry run 4",
             "contributor", 5, "in_progress"),
            ("Agree a 36-hour fallback window with the finance and warehouse leads",
             "facilitator", -2, "open"),
        ],
        "status": "mitigating",
    },
    {
        "title": "Warehouse testers share one security role in UAT",
        "type": "issue", "category": "security", "likelihood": 5, "impact": 3,
        "item": "uat-real-security-roles", "raised_by": "contributor",
        "description": "UAT warehouse scripts ran with a shared super-user role, so segregation "
        "of duties and menu access were never tested.",
        "recommendation": "Test every warehouse persona with the role it will have in production.",
        "actions": [
            ("Create per-persona warehouse roles and rerun the UAT warehouse scripts",
             "contributor", 2, "open"),
        ],
    },
    {
        "title": "Mock cutover not rehearsed yet",
        "type": "risk", "category": "cutover", "likelihood": 3, "impact": 4,
        "item": "cut-mock-cutover", "raised_by": "facilitator",
        "description": "The runbook has 212 steps and nine of them have no owner.",
        "actions": [
            ("Run the mock cutover with the full runbook and time every step", "facilitator", 6,
             "open"),
            ("Name an owner for the nine unowned runbook steps", "pm", -4, "open"),
        ],
    },
    {
        "title": "UAT sign-off could slip past the go/no-go meeting",
        "type": "risk", "category": "testing", "likelihood": 3, "impact": 3,
        "item": "uat-signoff", "raised_by": "pm",
        "actions": [
            ("Book the business owners for the UAT sign-off session", "approver", 3, "open"),
        ],
    },
    {
        "title": "A third of the users are not trained yet",
        "type": "risk", "category": "people", "likelihood": 3, "impact": 3,
        "item": "cm-training-delivered", "raised_by": "facilitator",
        "actions": [
            ("Schedule catch-up sessions for warehouse shift B", "pm", -1, "open"),
            ("Record the accounts payable training for people on leave", "approver2", 8, "open"),
        ],
    },
    {
        "title": "Bank statement import rejects the bank's MT940 variant",
        "type": "issue", "category": "integration", "likelihood": 4, "impact": 4,
        "item": "sit-signoff", "raised_by": "contributor",
        "description": "Statements from the second bank fail on field 86 structured content.",
        "actions": [
            ("Map the MT940 field 86 variant and retest with the bank", "contributor", -3, "open"),
        ],
    },
    {
        "title": "ISV licence renewal falls in the hypercare period",
        "type": "risk", "category": "scope", "likelihood": 2, "impact": 3,
        "item": "env-licenses", "raised_by": "approver",
        "description": "The warehouse ISV licence renews two weeks after go-live; nobody owns "
        "the renewal yet.",
    },
    {
        "title": "Month-end peak throughput close to the limit",
        "type": "risk", "category": "performance", "likelihood": 2, "impact": 4,
        "item": "perf-peak-load", "raised_by": "facilitator",
        "actions": [
            ("Add a batch server for the month-end posting window", "facilitator", -6, "done"),
        ],
        "status": "mitigated",
    },
    {
        "title": "Finance key user on leave in go-live week",
        "type": "risk", "category": "people", "likelihood": 2, "impact": 2,
        "raised_by": "facilitator",
        "actions": [("Name and train a deputy for the finance key user", "pm", -8, "done")],
        # Accepted for a short while only: the demo shows an acceptance about to expire.
        "accept": ("approver", "The deputy is trained and named in the support plan."),
        "accepted_for_days": 5,
    },
    {
        "title": "Sandbox refresh overwrote UAT test data",
        "type": "issue", "category": "environment", "likelihood": 3, "impact": 2,
        "raised_by": "contributor",
        "actions": [("Restore UAT data from the last backup", "contributor", -12, "done")],
        "status": "closed",
    },
    {
        "title": "Performance testing covered month-end peak at 1.5x volume",
        "type": "assertion", "category": "performance", "item": "perf-peak-load",
        "raised_by": "facilitator",
        "description": "Targets met for posting, MRP and warehouse wave processing.",
    },
    {
        "title": "Integration testing finished two weeks before UAT",
        "type": "assertion", "category": "integration", "item": "sit-before-uat",
        "raised_by": "facilitator",
    },
    {
        "title": "Licences assigned in the production tenant",
        "type": "assertion", "category": "scope", "item": "env-licenses", "raised_by": "pm",
    },
]  # fmt: skip


def _items_by_key(project):
    review = project.reviews.first()
    if review is None:
        return {}
    return {item.key: item for item in review.items.select_related("review", "section")}


def _link(risk, item):
    """Link a finding seeded before the demo review existed (the seed runs again)."""
    if item is not None and risk.review_item_id is None:
        Risk.objects.filter(pk=risk.pk).update(
            review_item=item, review=item.review, area=item.section
        )


def _date_acceptance(risk, spec, today):
    """An acceptance seeded before acceptances expired gets its demo expiry day (once)."""
    days = spec.get("accepted_for_days")
    if days and risk.status == RiskStatus.ACCEPTED and risk.acceptance_expires_on is None:
        Risk.objects.filter(pk=risk.pk).update(
            acceptance_expires_on=today + datetime.timedelta(days=days)
        )


@transaction.atomic
def seed_risks(seeded):
    """A realistic register for the demo project; returns the findings by title."""
    project = seeded["project"]
    people = {short: seeded["people"][email] for short, email in PEOPLE.items()}
    items = _items_by_key(project)
    today = timezone.localdate()
    existing = {risk.title: risk for risk in Risk.objects.filter(project=project)}
    for spec in FINDINGS:
        item = items.get(spec.get("item"))
        if spec["title"] in existing:
            _link(existing[spec["title"]], item)
            _date_acceptance(existing[spec["title"]], spec, today)
            continue
        raiser = people[spec["raised_by"]]
        risk = services.risk_create(
            project=project,
            acting_user=raiser,
            title=spec["title"],
            type=spec["type"],
            category=spec["category"],
            description=spec.get("description", ""),
            recommendation=spec.get("recommendation", ""),
            likelihood=spec.get("likelihood"),
            impact=spec.get("impact"),
            is_blocker=spec.get("is_blocker", False),
            workaround=spec.get("workaround", ""),
            review_item=item,
        )
        for description, owner, due_in, status in spec.get("actions", []):
            action = services.action_create(
                risk=risk,
                acting_user=people["facilitator"],
                description=description,
                owner=people[owner],
                due_date=today + datetime.timedelta(days=due_in),
            )
            if status != "open":
                services.action_update_status(
                    action=action, acting_user=people[owner], status=status
                )
        if spec.get("status"):
            risk = services.risk_update(
                risk=risk, acting_user=people["facilitator"], version=risk.version,
                status=spec["status"],
            )  # fmt: skip
        if spec.get("accept"):
            acceptor, reason = spec["accept"]
            days = spec.get("accepted_for_days")
            risk = services.risk_accept(
                risk=risk, acting_user=people[acceptor], reason=reason,
                expires_on=today + datetime.timedelta(days=days) if days else None,
            )  # fmt: skip
        existing[risk.title] = risk
    return existing
