"""The plan page, a version page and the exports make as many queries at 300 steps as at 30."""

import pytest
from django.urls import reverse

from cutover.models import PlanSignOff, Step
from projects.models import Role
from tests.factories import make_cutover_plan

# Session and user, the project with my role; then the plan's versions (one query), the
# members (names and stakeholder roles), the steps, the dependencies and the sign-offs.
# The export: the version, the steps with their people, the dependencies.
MAX_QUERIES = {"plan": 8, "export": 6, "history": 6}


@pytest.fixture(params=[30, 300], ids=["30-steps", "300-steps"])
def big_plan(request, project, members):
    owner = members[Role.CONTRIBUTOR]
    version = make_cutover_plan(project, steps=request.param, owner=owner)
    steps = list(version.steps.order_by("number"))
    rollback = steps[-1]
    Step.objects.filter(pk=rollback.pk).update(is_rollback=True)
    Step.objects.filter(pk__in=[s.pk for s in steps[:5]]).update(rollback_step=rollback)
    version.steps.filter(number=steps[-2].number).delete()  # cut the rollback step loose
    approvers = Step.checkpoint_approvers.through
    approvers.objects.bulk_create(
        approvers(step_id=step.pk, user_id=user.pk)
        for step in steps
        if step.is_checkpoint
        for user in (members[Role.APPROVER], members[Role.PROJECT_MANAGER])
    )
    PlanSignOff.objects.create(
        plan_version=version, signer=members[Role.APPROVER], as_role="business_owner",
        decision="approve", signed_version=1,
    )  # fmt: skip
    return version


def test_plan_page_query_count(
    client_for, project, members, big_plan, django_assert_max_num_queries
):
    client = client_for(members[Role.VIEWER])
    with django_assert_max_num_queries(MAX_QUERIES["plan"]):
        response = client.get(reverse("cutover:plan", args=[project.pk]))
    assert response.status_code == 200
    steps = big_plan.steps.count()
    assert response.text.count('<tr id="step-') == steps
    assert response.text.count('class="tl-step') == steps - 1  # the rollback step is apart


def test_export_query_count(client_for, project, members, big_plan, django_assert_max_num_queries):
    client = client_for(members[Role.VIEWER])
    url = reverse("cutover:export", args=[project.pk, big_plan.number, "xlsx"])
    with django_assert_max_num_queries(MAX_QUERIES["export"]):
        assert client.get(url).status_code == 200


def test_history_query_count(client_for, project, members, big_plan, django_assert_max_num_queries):
    client = client_for(members[Role.VIEWER])
    url = reverse("cutover:history", args=[project.pk, big_plan.number])
    with django_assert_max_num_queries(MAX_QUERIES["history"]):
        assert client.get(url).status_code == 200
