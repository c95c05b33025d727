"""The database itself refuses what the cutover rules forbid."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from cutover.models import PlanSignOff, PlanVersion, Step, StepDependency
from tests.factories import (
    CutoverRunFactory,
    PlanVersionFactory,
    StepDependencyFactory,
    StepFactory,
    UserFactory,
    make_cutover_plan,
)

pytestmark = pytest.mark.django_db


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_step_number_is_unique_per_version():
    step = StepFactory(number=3)
    _refused(lambda: StepFactory(plan_version=step.plan_version, number=3))
    StepFactory(number=3)  # another version may reuse it


def test_dependency_refuses_self_loop_and_duplicate_pair():
    link = StepDependencyFactory()
    _refused(
        lambda: StepDependency.objects.create(
            plan_version=link.plan_version, predecessor=link.predecessor, successor=link.predecessor
        )
    )
    _refused(
        lambda: StepDependency.objects.create(
            plan_version=link.plan_version, predecessor=link.predecessor, successor=link.successor
        )
    )


def test_plan_version_window_must_close_after_it_opens():
    version = PlanVersionFactory()
    _refused(
        lambda: PlanVersion.objects.filter(pk=version.pk).update(
            window_end=version.window_start - datetime.timedelta(minutes=1)
        )
    )


def test_plan_has_one_current_version():
    version = PlanVersionFactory()
    _refused(lambda: PlanVersionFactory(plan=version.plan, number=2))
    version.status = "superseded"
    version.save()
    PlanVersionFactory(plan=version.plan, number=2)


def test_ponr_is_a_step_or_a_time_not_both():
    step = StepFactory()
    version = step.plan_version
    version.point_of_no_return_step = step
    version.point_of_no_return_at = version.window_start
    _refused(version.save)


def test_plan_signoff_one_standing_per_signer():
    version = PlanVersionFactory()
    signer = UserFactory()

    def sign():
        return PlanSignOff.objects.create(
            plan_version=version, signer=signer, as_role="business_owner",
            decision="approve", signed_version=1,
        )  # fmt: skip

    sign()
    _refused(sign)


def test_one_running_run_per_plan():
    run = CutoverRunFactory()
    _refused(lambda: CutoverRunFactory(plan_version=run.plan_version, number=2))


def test_make_cutover_plan_builds_a_chain(project):
    version = make_cutover_plan(project, steps=12)
    assert version.steps.count() == 12
    assert StepDependency.objects.filter(plan_version=version).count() == 11 + 2
    assert Step.objects.get(plan_version=version, number=10).is_checkpoint


def test_step_rollback_is_another_step():
    step = StepFactory()
    _refused(lambda: Step.objects.filter(pk=step.pk).update(rollback_step=step))


def test_deleting_a_project_deletes_its_plan_and_runs():
    from cutover.models import CutoverPlan, StepEvent

    run = CutoverRunFactory()
    step = StepFactory(plan_version=run.plan_version)
    StepEvent.objects.create(
        run=run, step=step, kind="started", at=run.started_at, by=run.started_by
    )
    run.plan.project.delete()
    assert not CutoverPlan.objects.exists()
    assert not StepEvent.objects.exists()
