import datetime

import pytest

from projects.models import Membership, Role
from support import services
from support.hours_text import parse_exceptions, parse_weekly
from tests.factories import MembershipFactory, UserFactory

OFFICE = "Mon-Fri 08:00-18:00"


def add_line(plan, user, level="l1", team="Service desk", hours=OFFICE, exceptions=""):
    exception_hours, closed = parse_exceptions(exceptions)
    return services.line_save(
        plan=plan, acting_user=user, version=None, level=level, team=team,
        handles="Tickets", weekly=parse_weekly(hours), exception_hours=exception_hours,
        closed_dates=closed,
    )  # fmt: skip


def make_support_plan(project, user, *, lines=2, sessions=0, criteria=0):
    """A plan signed off by the business owner and the project manager, with ``lines`` lines
    (office hours, a contact each), an escalation level per line, and sessions / criteria."""
    plan = services.support_plan_create(
        project=project, acting_user=user, signoff_roles=["business_owner", "project_manager"],
        hypercare_weeks=4, hypercare_hours=parse_weekly(OFFICE),
    )  # fmt: skip
    levels = ["l1", "l2", "l3", "vendor", "partner"]
    for index in range(lines):
        line = add_line(plan, user, level=levels[index % 5], team=f"Team {index}")
        contact = services.contact_add(
            line=line, acting_user=user, name=f"Person {index}", email=f"p{index}@example.com"
        )
        services.escalation_add(plan=plan, acting_user=user, response_minutes=30, contact=contact)
    for index in range(sessions):
        services.kt_session_save(
            plan=plan, acting_user=user, topic=f"Topic {index}",
            date=datetime.date(2026, 3, 1) + datetime.timedelta(days=index),
            from_members=[user], to_text="Service desk", done=index % 2 == 0,
        )  # fmt: skip
    for index in range(criteria):
        services.exit_criterion_add(
            plan=plan, acting_user=user, text=f"Criterion {index}", owner=user
        )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def support_plan(project, members):
    return make_support_plan(project, members[Role.PROJECT_MANAGER])


@pytest.fixture
def support_lead(project, members):
    """A contributor holding the support lead's stakeholder role."""
    user = UserFactory(full_name="Support Lead")
    MembershipFactory(
        project=project, user=user, role=Role.CONTRIBUTOR, signoff_roles=["support_lead"]
    )
    return user


def give_roles(project, user, roles):
    Membership.objects.filter(project=project, user=user).update(signoff_roles=roles)
