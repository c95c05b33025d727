"""Support plan writes: sign-off superseded on change, history, phase moves, refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import ConflictError
from projects.models import Phase, Role
from support import services
from support.models import PlanStatus, SupportPlanChange, SupportPlanSignOff
from tests.support.conftest import add_line

pytestmark = pytest.mark.django_db


def sign_both(plan, members):
    services.support_plan_sign_off(
        plan=plan, acting_user=members[Role.APPROVER], decision="approve", version=plan.version
    )
    services.support_plan_sign_off(
        plan=plan, acting_user=members[Role.PROJECT_MANAGER], decision="approve",
        version=plan.version,
    )  # fmt: skip
    plan.refresh_from_db()
    return plan


def test_plan_is_signed_off_when_every_named_role_approves(support_plan, members):
    services.support_plan_sign_off(
        plan=support_plan, acting_user=members[Role.APPROVER], decision="approve",
        version=support_plan.version,
    )  # fmt: skip
    support_plan.refresh_from_db()
    assert support_plan.status == PlanStatus.DRAFT
    plan = sign_both(support_plan, members)
    assert plan.status == PlanStatus.SIGNED_OFF
    assert plan.signed_off_at is not None


def test_change_after_sign_off_supersedes_the_sign_offs_and_is_recorded(support_plan, members):
    plan = sign_both(support_plan, members)
    pm = members[Role.PROJECT_MANAGER]
    add_line(plan, pm, level="l3", team="Developers")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not SupportPlanSignOff.objects.filter(plan=plan, superseded_at__isnull=True).exists()
    assert SupportPlanSignOff.objects.filter(plan=plan).count() == 2  # append-only: kept
    change = SupportPlanChange.objects.filter(plan=plan).first()
    assert change.user == pm
    assert change.changes["line"] == ["", "L3 · Developers"]
    assert "superseded" in change.note


def test_marking_a_session_done_does_not_supersede_the_sign_off(support_plan, members):
    pm = members[Role.PROJECT_MANAGER]
    session = services.kt_session_save(
        plan=support_plan, acting_user=pm, topic="Month-end close", date=datetime.date(2026, 3, 2)
    )
    support_plan.refresh_from_db()
    plan = sign_both(support_plan, members)
    services.kt_session_save(
        plan=plan, acting_user=pm, session=session, topic="Month-end close",
        date=datetime.date(2026, 3, 2), attended="Service desk", done=True,
    )  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIGNED_OFF
    assert SupportPlanChange.objects.filter(plan=plan).first().changes["knowledge transfer"][1] == (
        "Month-end close (2026-03-02) done"
    )


def test_signing_what_changed_since_is_refused(support_plan, members):
    seen = support_plan.version
    add_line(support_plan, members[Role.PROJECT_MANAGER], level="l2", team="Apps")
    with pytest.raises(ValidationError, match="changed since you opened it"):
        services.support_plan_sign_off(
            plan=support_plan, acting_user=members[Role.APPROVER], decision="approve", version=seen
        )


def test_rejection_needs_a_reason_and_only_named_roles_sign(support_plan, members):
    with pytest.raises(ValidationError, match="Say why"):
        services.support_plan_sign_off(
            plan=support_plan, acting_user=members[Role.APPROVER], decision="reject"
        )
    with pytest.raises(PermissionDenied):
        services.support_plan_sign_off(
            plan=support_plan, acting_user=members[Role.VIEWER], decision="approve"
        )


def test_one_standing_sign_off_per_signer_and_revoke(support_plan, members):
    approver = members[Role.APPROVER]
    services.support_plan_sign_off(plan=support_plan, acting_user=approver, decision="approve")
    services.support_plan_sign_off(
        plan=support_plan, acting_user=approver, decision="reject", comment="No vendor phone."
    )
    standing = SupportPlanSignOff.objects.filter(plan=support_plan, superseded_at__isnull=True)
    assert [r.decision for r in standing] == ["reject"]
    services.support_plan_sign_off_revoke(plan=support_plan, acting_user=approver)
    standing = SupportPlanSignOff.objects.filter(plan=support_plan, superseded_at__isnull=True)
    assert [r.decision for r in standing] == ["revoke"]


def test_stale_settings_edit_is_a_conflict(support_plan, members):
    pm, facilitator = members[Role.PROJECT_MANAGER], members[Role.FACILITATOR]
    seen = support_plan.version
    services.support_plan_update(
        plan=support_plan, acting_user=facilitator, version=seen, signoff_roles=["project_manager"],
        time_zone="Europe/Paris", hypercare_weeks=6, hypercare_hours=[],
    )  # fmt: skip
    with pytest.raises(ConflictError, match="Facilitator Person changed the support plan"):
        services.support_plan_update(
            plan=support_plan, acting_user=pm, version=seen, signoff_roles=["project_manager"],
            time_zone="Europe/London", hypercare_weeks=4, hypercare_hours=[],
        )  # fmt: skip


def test_only_editors_write(support_plan, members, support_lead):
    for role in (Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            add_line(support_plan, members[role])
    add_line(support_plan, support_lead, level="partner", team="Contoso")  # the support lead may


def test_hypercare_start_moves_the_phase_and_is_recorded(support_plan, members, project):
    pm = members[Role.PROJECT_MANAGER]
    with pytest.raises(ValidationError, match="planned go-live date"):
        services.hypercare_start(plan=support_plan, acting_user=pm)
    with pytest.raises(PermissionDenied):
        services.hypercare_start(
            plan=support_plan, acting_user=members[Role.FACILITATOR], today=project.go_live_date
        )
    services.hypercare_start(plan=support_plan, acting_user=pm, today=project.go_live_date)
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE
    change = SupportPlanChange.objects.filter(plan=support_plan).first()
    assert change.changes == {"phase": ["Implement", "Hypercare"]}
    with pytest.raises(ValidationError, match="already started"):
        services.hypercare_start(plan=support_plan, acting_user=pm, today=project.go_live_date)


def test_closing_hypercare_is_refused_naming_the_open_criteria(support_plan, members, project):
    pm = members[Role.PROJECT_MANAGER]
    services.hypercare_start(plan=support_plan, acting_user=pm, today=project.go_live_date)
    with pytest.raises(ValidationError, match="Add the exit criteria first"):
        services.hypercare_close(plan=support_plan, acting_user=pm)
    met = services.exit_criterion_add(plan=support_plan, acting_user=pm, text="No open P1")
    services.exit_criterion_add(
        plan=support_plan, acting_user=pm, text="Month-end closed", owner=members[Role.CONTRIBUTOR]
    )
    services.exit_criterion_set_status(criterion=met, acting_user=pm, status="met")
    with pytest.raises(ValidationError, match="still open: “Month-end closed”"):
        services.hypercare_close(plan=support_plan, acting_user=pm)
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE
    # The criterion's owner (a contributor) marks it met; then the PM closes.
    owned = support_plan.exit_criteria.get(text="Month-end closed")
    services.exit_criterion_set_status(
        criterion=owned, acting_user=members[Role.CONTRIBUTOR], status="met"
    )
    services.hypercare_close(plan=support_plan, acting_user=pm)
    project.refresh_from_db()
    assert project.phase == Phase.OPERATE


def test_check_in_one_a_day_after_hypercare_starts(support_plan, members, project):
    pm = members[Role.PROJECT_MANAGER]
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="has not started"):
        services.check_in_log(plan=support_plan, acting_user=pm, date=today)
    services.hypercare_start(plan=support_plan, acting_user=pm, today=project.go_live_date)
    check_in = services.check_in_log(
        plan=support_plan, acting_user=pm, date=today, p1=1, p2=3, notes="Invoices slow",
        decisions="Hotfix tonight",
    )  # fmt: skip
    assert check_in.open_incidents == 4
    with pytest.raises(ValidationError, match="already a check-in"):
        services.check_in_log(plan=support_plan, acting_user=pm, date=today)


def test_contact_is_a_member_or_someone_reachable(support_plan, members, outsider):
    pm = members[Role.PROJECT_MANAGER]
    line = support_plan.lines.first()
    with pytest.raises(ValidationError, match="e-mail or a phone"):
        services.contact_add(line=line, acting_user=pm, name="Vendor desk")
    with pytest.raises(ValidationError, match="member of this project"):
        services.contact_add(line=line, acting_user=pm, member=outsider)
    contact = services.contact_add(line=line, acting_user=pm, member=members[Role.CONTRIBUTOR])
    assert str(contact) == "Contributor Person"


def test_escalation_levels_keep_their_order(support_plan, members):
    pm = members[Role.PROJECT_MANAGER]
    first, second = list(support_plan.escalation.all())
    third = services.escalation_add(
        plan=support_plan, acting_user=pm, response_minutes=240, line=support_plan.lines.first()
    )
    assert third.order == 3
    services.escalation_delete(level=first, acting_user=pm)
    assert [(level.pk, level.order) for level in support_plan.escalation.all()] == [
        (second.pk, 1), (third.pk, 2),
    ]  # fmt: skip
