import datetime

import pytest

from cutover.services import plan_create, step_add
from projects.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory, next_cutover_window_start


@pytest.fixture
def cutover_manager(project, members):
    """A contributor who holds the cutover manager's stakeholder role."""
    user = UserFactory(full_name="Cutover Manager")
    MembershipFactory(
        project=project, user=user, role=Role.CONTRIBUTOR, signoff_roles=["cutover_manager"]
    )
    return user


@pytest.fixture
def plan_version(project, members):
    """A draft plan (Friday 18:00 to Monday 06:00 London, 2 h buffer) signed off by the
    business owner (the approver) and the project manager; no steps."""
    opens = next_cutover_window_start()
    return plan_create(
        project=project,
        acting_user=members[Role.PROJECT_MANAGER],
        window_start=opens,
        window_end=opens + datetime.timedelta(hours=60),
        time_zone="Europe/London",
        buffer_minutes=120,
        signoff_roles=["business_owner", "project_manager"],
    )


@pytest.fixture
def three_steps(plan_version, members):
    """Steps 1 -> 2 -> 3 of 60, 120 and 30 minutes; the contributor owns step 2."""
    pm = members[Role.PROJECT_MANAGER]
    one = step_add(
        plan_version=plan_version, acting_user=pm, title="Freeze legacy", duration_minutes=60
    )
    two = step_add(
        plan_version=plan_version, acting_user=pm, title="Load master data", duration_minutes=120,
        predecessors=[1], owner=members[Role.CONTRIBUTOR], category="data_migration",
    )  # fmt: skip
    three = step_add(
        plan_version=plan_version, acting_user=pm, title="Validate", duration_minutes=30,
        predecessors=[2], category="validation",
    )  # fmt: skip
    return one, two, three


def give_roles(project, user, roles):
    Membership.objects.filter(project=project, user=user).update(signoff_roles=roles)
