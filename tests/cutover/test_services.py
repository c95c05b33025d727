"""Cutover plan services: the version rule, loops refused and named, history, sign-off rules."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import ConflictError
from cutover.models import PlanChange, PlanSignOff, PlanVersion, Step, StepChange, StepDependency
from cutover.services import (
    dependency_add,
    dependency_remove,
    plan_create,
    plan_set_signoff_roles,
    plan_sign_off,
    plan_sign_off_revoke,
    plan_update,
    step_add,
    step_delete,
    step_move,
    step_update,
    steps_from_typical,
    typical_steps,
)
from projects.models import Role
from tests.cutover.conftest import give_roles

pytestmark = pytest.mark.django_db


def numbers_of(version):
    return list(version.steps.order_by("number").values_list("number", flat=True))


def links_of(version):
    return sorted(version.dependencies.values_list("predecessor__number", "successor__number"))


# --- Plans -----------------------------------------------------------------------


def test_plan_create_makes_version_one(plan_version, project):
    assert plan_version.number == 1
    assert plan_version.status == "draft"
    assert plan_version.plan.project == project
    assert PlanChange.objects.filter(plan_version=plan_version).count() == 1


def test_plan_create_refuses_a_second_plan(plan_version, project, members):
    with pytest.raises(ValidationError, match="already has a cutover plan"):
        plan_create(
            project=project, acting_user=members[Role.PROJECT_MANAGER],
            window_start=plan_version.window_start, window_end=plan_version.window_end,
            signoff_roles=["business_owner"],
        )  # fmt: skip


def test_plan_create_refuses_a_window_that_closes_before_it_opens(project, members):
    opens = datetime.datetime(2026, 3, 6, 18, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as refused:
        plan_create(
            project=project, acting_user=members[Role.PROJECT_MANAGER], window_start=opens,
            window_end=opens - datetime.timedelta(hours=1), signoff_roles=["business_owner"],
        )  # fmt: skip
    assert refused.value.message_dict["window_end"] == ["The window must close after it opens."]


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER])
def test_plan_create_needs_the_pm_or_the_cutover_manager(project, members, role):
    opens = datetime.datetime(2026, 3, 6, 18, tzinfo=datetime.UTC)
    with pytest.raises(PermissionDenied):
        plan_create(
            project=project, acting_user=members[role], window_start=opens,
            window_end=opens + datetime.timedelta(hours=10), signoff_roles=["business_owner"],
        )  # fmt: skip


def test_cutover_manager_edits_the_plan(plan_version, cutover_manager):
    step = step_add(plan_version=plan_version, acting_user=cutover_manager, title="Freeze")
    assert step.number == 1


def test_plan_update_records_history_and_counts_the_change(plan_version, members):
    pm = members[Role.PROJECT_MANAGER]
    updated = plan_update(plan_version=plan_version, acting_user=pm, version=1, buffer_minutes=90)
    assert (updated.pk, updated.buffer_minutes, updated.version) == (plan_version.pk, 90, 2)
    change = updated.changes.order_by("-pk").first()
    assert change.changes == {"buffer_minutes": ["120", "90"]}
    assert change.user == pm


def test_plan_update_conflict_names_who_changed_the_settings(
    plan_version, members, cutover_manager
):
    plan_update(
        plan_version=plan_version, acting_user=cutover_manager, version=1, buffer_minutes=60
    )
    with pytest.raises(ConflictError, match="Cutover Manager changed the cutover plan"):
        plan_update(
            plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER], version=1,
            buffer_minutes=30,
        )  # fmt: skip
    assert PlanVersion.objects.get(pk=plan_version.pk).buffer_minutes == 60


def test_plan_update_is_not_a_conflict_with_a_step_change(plan_version, members):
    pm = members[Role.PROJECT_MANAGER]
    step_add(plan_version=plan_version, acting_user=pm, title="Freeze")
    updated = plan_update(plan_version=plan_version, acting_user=pm, version=1, buffer_minutes=30)
    assert updated.buffer_minutes == 30


def test_plan_update_point_of_no_return_is_a_step_or_a_time(plan_version, three_steps, members):
    pm = members[Role.PROJECT_MANAGER]
    version = PlanVersion.objects.get(pk=plan_version.pk)
    updated = plan_update(
        plan_version=version, acting_user=pm, version=version.version, point_of_no_return_step=2
    )
    assert updated.point_of_no_return_step == three_steps[1]
    with pytest.raises(ValidationError, match="a step or a time, not both"):
        plan_update(
            plan_version=updated, acting_user=pm, version=updated.version,
            point_of_no_return_at=updated.window_start,
        )  # fmt: skip


def test_plan_update_refuses_a_deadline_outside_the_window(plan_version, members):
    with pytest.raises(ValidationError, match="rollback deadline is inside the window"):
        plan_update(
            plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER], version=1,
            rollback_deadline=plan_version.window_end + datetime.timedelta(hours=1),
        )  # fmt: skip


def test_plan_signoff_roles_must_be_chosen(plan_version, members):
    with pytest.raises(ValidationError, match="at least one stakeholder role"):
        plan_set_signoff_roles(
            plan=plan_version.plan, acting_user=members[Role.PROJECT_MANAGER], signoff_roles=[]
        )


# --- Steps and dependencies ----------------------------------------------------------


def test_step_add_numbers_after_the_last_and_links_predecessors(three_steps, plan_version):
    assert numbers_of(plan_version) == [1, 2, 3]
    assert links_of(plan_version) == [(1, 2), (2, 3)]


def test_step_add_refuses_an_owner_who_is_not_a_member(plan_version, members, outsider):
    with pytest.raises(ValidationError) as refused:
        step_add(
            plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER],
            title="Freeze", owner=outsider,
        )  # fmt: skip
    assert "member of the project" in refused.value.message_dict["owner"][0]


def test_step_add_checkpoint_needs_criteria(plan_version, members):
    with pytest.raises(ValidationError) as refused:
        step_add(
            plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER],
            title="Go/no-go", is_checkpoint=True,
        )  # fmt: skip
    assert "checkpoint_criteria" in refused.value.message_dict


def test_step_add_refuses_a_duplicate_number(three_steps, plan_version, members):
    with pytest.raises(ValidationError, match="already a step 2"):
        step_add(
            plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER], title="X",
            number=2,
        )  # fmt: skip


def test_dependency_add_refuses_a_cycle_and_names_it(three_steps, plan_version, members):
    one, _, three = three_steps
    with pytest.raises(ValidationError) as refused:
        dependency_add(predecessor=three, successor=one, acting_user=members[Role.PROJECT_MANAGER])
    assert refused.value.message_dict["predecessors"] == [
        "That would make a loop: Step 3 → 1 → 2 → 3. A step cannot wait, even indirectly, "
        "for itself."
    ]
    assert links_of(plan_version) == [(1, 2), (2, 3)]


def test_step_update_refuses_a_cycle_through_its_predecessors(three_steps, members):
    one = three_steps[0]
    with pytest.raises(ValidationError, match=r"Step 2 → 1 → 2"):
        step_update(
            step=one, acting_user=members[Role.PROJECT_MANAGER], version=1, predecessors=[2]
        )


def test_step_cannot_wait_for_itself(three_steps, members):
    with pytest.raises(ValidationError, match="cannot wait for itself"):
        step_update(
            step=three_steps[0], acting_user=members[Role.PROJECT_MANAGER], version=1,
            predecessors=[1],
        )  # fmt: skip


def test_rollback_steps_stay_apart_from_the_forward_plan(three_steps, plan_version, members):
    pm = members[Role.PROJECT_MANAGER]
    step_add(plan_version=plan_version, acting_user=pm, title="Restore legacy", is_rollback=True)
    with pytest.raises(ValidationError, match="a step of the forward plan cannot wait for it"):
        step_update(step=three_steps[2], acting_user=pm, version=1, predecessors=[2, 4])
    updated = step_update(step=three_steps[1], acting_user=pm, version=1, rollback_step=4)
    assert updated.rollback_step.number == 4
    with pytest.raises(ValidationError, match="not a rollback step"):
        step_update(step=updated, acting_user=pm, version=updated.version, rollback_step=3)


def test_dependency_remove(three_steps, plan_version, members):
    one, two, _ = three_steps
    dependency_remove(predecessor=one, successor=two, acting_user=members[Role.PROJECT_MANAGER])
    assert links_of(plan_version) == [(2, 3)]
    assert "no longer waits for step 1" in plan_version.changes.order_by("-pk").first().note


def test_step_update_records_history_with_old_and_new(three_steps, members):
    two = three_steps[1]
    updated = step_update(
        step=two, acting_user=members[Role.PROJECT_MANAGER], version=1, duration_minutes=150,
        predecessors=[],
    )  # fmt: skip
    change = StepChange.objects.get(step=updated)
    assert change.changes == {"duration_minutes": ["120", "150"], "predecessors": ["1", ""]}
    assert updated.version == 2


def test_step_update_conflict_names_who_changed_the_step(three_steps, members, cutover_manager):
    two = three_steps[1]
    step_update(step=two, acting_user=cutover_manager, version=1, title="Load masters")
    with pytest.raises(ConflictError, match="Cutover Manager changed step 2"):
        step_update(
            step=two, acting_user=members[Role.PROJECT_MANAGER], version=1, duration_minutes=5
        )


def test_step_owner_edits_only_instructions_and_verification(three_steps, members):
    owner = members[Role.CONTRIBUTOR]
    two = three_steps[1]
    updated = step_update(step=two, acting_user=owner, version=1, instructions="Use package 7.")
    assert updated.instructions == "Use package 7."
    with pytest.raises(PermissionDenied, match="instructions and verification"):
        step_update(step=updated, acting_user=owner, version=updated.version, duration_minutes=10)
    with pytest.raises(PermissionDenied):
        step_update(step=three_steps[0], acting_user=owner, version=1, instructions="Mine now")


def test_step_delete_keeps_it_in_the_history(three_steps, plan_version, members):
    step_delete(step=three_steps[1], acting_user=members[Role.PROJECT_MANAGER])
    assert numbers_of(plan_version) == [1, 3]
    assert links_of(plan_version) == []
    change = plan_version.changes.order_by("-pk").first()
    assert change.changes == {"step": ["2: Load master data", ""]}


def test_step_move_renumbers_in_order(three_steps, plan_version, members):
    moved = step_move(step=three_steps[2], acting_user=members[Role.PROJECT_MANAGER], number=1)
    assert moved.number == 1
    titles = list(plan_version.steps.order_by("number").values_list("title", flat=True))
    assert titles == ["Validate", "Freeze legacy", "Load master data"]
    assert links_of(plan_version) == [(2, 3), (3, 1)]


def test_steps_from_typical_fills_an_empty_plan(plan_version, members, cutover_manager):
    version = steps_from_typical(plan_version=plan_version, acting_user=cutover_manager)
    assert version.steps.count() == len(typical_steps()) == 28
    assert version.steps.filter(is_checkpoint=True).count() == 4
    assert version.steps.filter(is_rollback=True).count() == 1
    build = version.steps.get(title="Build the runbook")
    assert build.owner == cutover_manager
    assert version.steps.get(title="Go/no-go meeting").rollback_step.is_rollback
    with pytest.raises(ValidationError, match="already has steps"):
        steps_from_typical(plan_version=version, acting_user=cutover_manager)


# --- Versions and sign-offs ------------------------------------------------------------


def test_change_after_signoff_creates_a_new_version(three_steps, plan_version, members):
    pm, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    version = PlanVersion.objects.get(pk=plan_version.pk)
    plan_sign_off(
        plan_version=version, acting_user=approver, decision="approve", version=version.version
    )
    updated = step_update(step=three_steps[1], acting_user=pm, version=1, duration_minutes=200)
    old = PlanVersion.objects.get(pk=plan_version.pk)
    new = updated.plan_version
    assert (old.status, new.number, new.status, new.based_on) == ("superseded", 2, "draft", old)
    assert old.steps.get(number=2).duration_minutes == 120  # the signed version is unchanged
    assert updated.duration_minutes == 200
    assert links_of(new) == links_of(old) == [(1, 2), (2, 3)]
    assert new.steps.get(number=2).owner == members[Role.CONTRIBUTOR]
    assert PlanSignOff.objects.get().superseded_at is not None
    assert not new.signoffs.exists()
    assert "signed by Approver Person" in new.changes.order_by("pk").first().note


def test_change_of_a_superseded_version_is_a_conflict(three_steps, plan_version, members):
    pm, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    version = PlanVersion.objects.get(pk=plan_version.pk)
    plan_sign_off(plan_version=version, acting_user=approver, decision="approve")
    step_add(plan_version=version, acting_user=pm, title="Announce go-live")
    with pytest.raises(ConflictError, match="Project Manager Person changed the cutover plan"):
        step_update(step=three_steps[0], acting_user=pm, version=1, title="Too late")


def test_plan_signed_off_when_every_role_approves(three_steps, plan_version, members):
    pm, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    plan_sign_off(plan_version=plan_version, acting_user=approver, decision="approve")
    assert PlanVersion.objects.get(pk=plan_version.pk).status == "draft"
    plan_sign_off(plan_version=plan_version, acting_user=pm, decision="approve")
    version = PlanVersion.objects.get(pk=plan_version.pk)
    assert version.status == "signed_off"
    assert version.signed_off_at is not None
    plan_sign_off_revoke(plan_version=version, acting_user=pm)
    assert PlanVersion.objects.get(pk=plan_version.pk).status == "draft"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.FACILITATOR])
def test_plan_signoff_only_by_holders_of_a_named_role(three_steps, plan_version, members, role):
    with pytest.raises(PermissionDenied):
        plan_sign_off(plan_version=plan_version, acting_user=members[role], decision="approve")


def test_plan_signoff_viewer_holding_the_role_still_cannot_sign(
    three_steps, plan_version, project, members
):
    give_roles(project, members[Role.VIEWER], ["business_owner"])
    with pytest.raises(PermissionDenied):
        plan_sign_off(
            plan_version=plan_version, acting_user=members[Role.VIEWER], decision="approve"
        )


def test_plan_rejection_needs_a_reason(three_steps, plan_version, members):
    with pytest.raises(ValidationError, match="Say why you reject"):
        plan_sign_off(
            plan_version=plan_version, acting_user=members[Role.APPROVER], decision="reject"
        )
    record = plan_sign_off(
        plan_version=plan_version, acting_user=members[Role.APPROVER], decision="reject",
        comment="No rollback for the data loads.",
    )  # fmt: skip
    assert record.as_role == "business_owner"


def test_plan_signoff_twice_keeps_the_first(three_steps, plan_version, members):
    first = plan_sign_off(
        plan_version=plan_version, acting_user=members[Role.APPROVER], decision="approve"
    )
    again = plan_sign_off(
        plan_version=plan_version, acting_user=members[Role.APPROVER], decision="approve"
    )
    assert first.pk == again.pk
    changed = plan_sign_off(
        plan_version=plan_version,
        acting_user=members[Role.APPROVER],
        decision="reject",
        comment="No.",
    )
    assert PlanSignOff.objects.filter(superseded_at__isnull=True).get() == changed


def test_plan_signoff_refuses_a_plan_changed_since_it_was_read(three_steps, plan_version, members):
    seen = PlanVersion.objects.get(pk=plan_version.pk).version
    step_add(plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER], title="New")
    with pytest.raises(ValidationError, match="changed since you opened it"):
        plan_sign_off(
            plan_version=plan_version, acting_user=members[Role.APPROVER], decision="approve",
            version=seen,
        )  # fmt: skip


def test_plan_signoff_refuses_an_empty_plan(plan_version, members):
    with pytest.raises(ValidationError, match="no steps"):
        plan_sign_off(
            plan_version=plan_version, acting_user=members[Role.APPROVER], decision="approve"
        )


def test_only_revoked_signoffs_do_not_freeze_the_version(three_steps, plan_version, members):
    approver = members[Role.APPROVER]
    plan_sign_off(plan_version=plan_version, acting_user=approver, decision="approve")
    plan_sign_off_revoke(plan_version=plan_version, acting_user=approver)
    step_update(
        step=three_steps[0], acting_user=members[Role.PROJECT_MANAGER], version=1, title="Freeze"
    )
    assert PlanVersion.objects.count() == 1


def test_cycle_check_on_a_copied_version_uses_the_copy(three_steps, plan_version, members):
    pm, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    plan_sign_off(plan_version=plan_version, acting_user=approver, decision="approve")
    one, two, _ = three_steps
    new_two = dependency_remove(predecessor=one, successor=two, acting_user=pm)
    new_version = new_two.plan_version
    assert links_of(new_version) == [(2, 3)]
    assert links_of(plan_version) == [(1, 2), (2, 3)]
    new_three = new_version.steps.get(number=3)
    new_one = new_version.steps.get(number=1)
    dependency_add(predecessor=new_three, successor=new_one, acting_user=pm)
    assert links_of(new_version) == [(2, 3), (3, 1)]
    assert Step.objects.count() == 6
    assert StepDependency.objects.count() == 4
