"""The demo support plan for `manage.py seed_demo`: idempotent, through the services.

Four lines for Contoso's go-live: the service desk (L1), Contoso IT's application support
(L2), Fabrikam Consulting's developers (L3) and Microsoft (vendor). The lines work office
hours and cover the cutover weekend round the clock, except one deliberate gap: L2 has
nobody on Saturday 02:00-08:00 of the cutover. An escalation path of four levels, three
knowledge-transfer sessions (one not done yet), four weeks of hypercare with two exit
criteria. The project manager has approved; the IT lead's sign-off is awaited.
"""

import datetime
import zoneinfo

from support import selectors, services
from support.hours_text import parse_exceptions, parse_weekly
from support.models import SupportPlan

OFFICE = "Mon-Fri 08:00-18:00"
PEOPLE = {
    "pm": "pm@demo.example.com",
    "approver": "approver@demo.example.com",
    "approver2": "approver2@demo.example.com",  # IT lead
    "contributor": "contributor@demo.example.com",
    "facilitator": "facilitator@demo.example.com",
}


def _weekend(friday, *, gap=False):
    """Exceptions that cover the cutover weekend round the clock (``gap``: not Saturday
    02:00-08:00)."""
    saturday, sunday, monday = (friday + datetime.timedelta(days=n) for n in (1, 2, 3))
    saturday_rows = f"{saturday} 00:00-02:00\n{saturday} 08:00-24:00" if gap else f"{saturday} 24h"
    return f"{friday} 08:00-24:00\n{saturday_rows}\n{sunday} 24h\n{monday} 00:00-18:00"


def _line(plan, user, level, team, handles, hours, exceptions=""):
    exception_hours, closed = parse_exceptions(exceptions)
    return services.line_save(
        plan=plan, acting_user=user, version=None, level=level, team=team, handles=handles,
        weekly=parse_weekly(hours), exception_hours=exception_hours, closed_dates=closed,
    )  # fmt: skip


def seed_support(seeded):
    """The demo project's support plan (once); returns it."""
    project = seeded["project"]
    plan = SupportPlan.objects.filter(project=project).order_by("pk").first()
    if plan is not None:
        return plan
    people = {short: seeded["people"][email] for short, email in PEOPLE.items()}
    pm = people["pm"]
    plan = services.support_plan_create(
        project=project, acting_user=pm, signoff_roles=["project_manager", "it_lead"],
        time_zone="Europe/London", hypercare_weeks=4, hypercare_hours=parse_weekly(OFFICE),
    )  # fmt: skip
    window = selectors.cutover_window(project)
    friday = window[0].astimezone(zoneinfo.ZoneInfo(plan.time_zone)).date() if window else None
    weekend = _weekend(friday) if friday else ""
    l1 = _line(plan, pm, "l1", "Contoso service desk",
               "Calls and tickets from users: passwords, access, how-to; logs and routes the rest.",
               OFFICE, weekend)  # fmt: skip
    l2 = _line(plan, pm, "l2", "Contoso IT application support",
               "Functional and configuration issues, batch jobs, integrations, data fixes.",
               OFFICE, _weekend(friday, gap=True) if friday else "")  # fmt: skip
    l3 = _line(plan, pm, "l3", "Fabrikam Consulting developers",
               "Defects in extensions and reports; hotfixes through the release pipeline.",
               OFFICE, weekend)  # fmt: skip
    vendor = _line(plan, pm, "vendor", "Microsoft",
                   "Platform incidents: outages, performance of the environment, product bugs.",
                   "Mon-Sun 24h")  # fmt: skip
    desk = services.contact_add(
        line=l1, acting_user=pm, name="Service desk hotline", email="servicedesk@contoso.example",
        phone="+44 20 7946 0100",
    )  # fmt: skip
    services.contact_add(line=l1, acting_user=pm, member=people["contributor"])
    it_lead = services.contact_add(line=l2, acting_user=pm, member=people["approver2"])
    fabrikam = services.contact_add(
        line=l3, acting_user=pm, name="Dana Developer", email="dana@fabrikam.example",
        phone="+44 20 7946 0200",
    )  # fmt: skip
    services.contact_add(
        line=vendor, acting_user=pm, name="Microsoft support (case portal)",
        email="support@microsoft.example", phone="+44 800 000 0000",
    )  # fmt: skip
    for target, minutes in ((desk, 15), (it_lead, 30), (fabrikam, 120)):
        services.escalation_add(plan=plan, acting_user=pm, response_minutes=minutes, contact=target)
    services.escalation_add(plan=plan, acting_user=pm, response_minutes=60, line=vendor)
    start = project.go_live_date or datetime.date.today()  # noqa: DTZ011 - a demo date
    for days_before, topic, givers, takers, attended, done in (
        (21, "Month-end close in D365 Finance", ["approver"], "Contoso finance key users",
         "Alice, 6 key users", True),
        (14, "Warehouse mobile app: troubleshooting scanners", ["contributor"],
         "Contoso service desk", "Service desk team (4)", True),
        (5, "Integration monitoring and dual-write errors", ["facilitator"],
         "Contoso IT application support", "", False),
    ):  # fmt: skip
        services.kt_session_save(
            plan=plan, acting_user=pm, topic=topic,
            date=start - datetime.timedelta(days=days_before),
            from_members=[people[short] for short in givers], from_text="Fabrikam Consulting",
            to_text=takers, attended=attended, done=done,
        )  # fmt: skip
    services.exit_criterion_add(
        plan=plan, acting_user=pm, text="No open P1 or P2 incident for 5 working days", owner=pm
    )
    services.exit_criterion_add(
        plan=plan, acting_user=pm, text="First month-end close completed in D365",
        owner=people["approver"],
    )  # fmt: skip
    plan.refresh_from_db()
    services.support_plan_sign_off(
        plan=plan, acting_user=pm, decision="approve", as_role="project_manager",
        version=plan.version,
    )  # fmt: skip
    plan.refresh_from_db()
    return plan
