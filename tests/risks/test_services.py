import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import ConflictError
from projects.models import Role
from risks import services
from risks.models import MitigationAction, MitigationActionChange, Risk, RiskChange
from tests.factories import MitigationActionFactory, RiskFactory, UserFactory

from .conftest import days

# --- Raising a finding ---------------------------------------------------------------


def test_risk_create_records_history_and_first_action(project, members, review_item):
    facilitator, contributor = members[Role.FACILITATOR], members[Role.CONTRIBUTOR]
    risk = services.risk_create(
        project=project,
        acting_user=facilitator,
        title="Dry run exceeds the cutover window",
        likelihood=4,
        impact=5,
        is_blocker=True,
        review_item=review_item,
        first_action={
            "description": "Parallelise loads",
            "owner": contributor,
            "due_date": days(7),
        },
    )
    assert risk.review == review_item.review
    assert risk.area == review_item.section
    assert risk.severity == "critical"
    action = risk.actions.get()
    assert (action.owner, action.due_date) == (contributor, days(7))
    assert RiskChange.objects.get(risk=risk).note == "Raised as risk (score 20, critical)"
    assert MitigationActionChange.objects.filter(action=action).count() == 1


def test_risk_create_with_a_non_member_owner_saves_nothing(project, members, outsider):
    with pytest.raises(ValidationError) as caught:
        services.risk_create(
            project=project,
            acting_user=members[Role.FACILITATOR],
            title="Licences not assigned",
            likelihood=2,
            impact=3,
            first_action={"description": "Assign licences", "owner": outsider},
        )
    assert "is not a member of" in caught.value.message_dict["first_action.owner"][0]
    assert not Risk.objects.exists()


def test_viewer_cannot_raise_a_finding(project, members):
    with pytest.raises(PermissionDenied):
        services.risk_create(
            project=project, acting_user=members[Role.VIEWER], title="x", likelihood=1, impact=1
        )


def test_risk_create_needs_ratings_for_a_risk_but_not_for_an_assertion(project, members):
    with pytest.raises(ValidationError) as caught:
        services.risk_create(project=project, acting_user=members[Role.APPROVER], title="Unrated")
    assert {"likelihood", "impact"} <= set(caught.value.message_dict)
    assertion = services.risk_create(
        project=project, acting_user=members[Role.APPROVER], title="Test data is excellent",
        type="assertion", likelihood=5, impact=5, is_blocker=True,
    )  # fmt: skip
    assert (assertion.likelihood, assertion.impact, assertion.is_blocker) == (None, None, False)


def test_risk_create_refuses_an_item_of_another_project(project, members, review_item):
    from tests.factories import MembershipFactory, ProjectFactory

    other = ProjectFactory()
    MembershipFactory(project=other, user=members[Role.FACILITATOR], role=Role.FACILITATOR)
    with pytest.raises(ValidationError, match="another project"):
        services.risk_create(
            project=other, acting_user=members[Role.FACILITATOR], title="x",
            likelihood=1, impact=1, review_item=review_item,
        )  # fmt: skip


# --- Editing, with the version check -----------------------------------------------------


def test_risk_update_records_changes_and_bumps_version(risk, members):
    saved = services.risk_update(
        risk=risk,
        acting_user=members[Role.PROJECT_MANAGER],
        version=1,
        likelihood=5,
        status="mitigating",
    )
    assert saved.version == 2
    change = saved.changes.first()
    assert change.changes == {"likelihood": ["4", "5"], "status": ["Open", "Mitigating"]}
    assert change.user == members[Role.PROJECT_MANAGER]


def test_concurrent_edit_is_refused_and_lists_the_other_change(risk, members):
    facilitator, manager = members[Role.FACILITATOR], members[Role.PROJECT_MANAGER]
    original_title = risk.title
    services.risk_update(risk=risk, acting_user=manager, version=1, impact=5)
    with pytest.raises(ConflictError) as caught:
        services.risk_update(risk=risk, acting_user=facilitator, version=1, title="Renamed")
    assert str(manager) in str(caught.value)
    assert "impact: 3 → 5" in caught.value.summary
    assert caught.value.current_version == 2
    risk.refresh_from_db()
    assert (risk.title, risk.impact, risk.version) == (original_title, 5, 2)


def test_unchanged_save_writes_no_history(risk, members):
    services.risk_update(risk=risk, acting_user=members[Role.FACILITATOR], version=1, impact=3)
    assert risk.changes.count() == 0
    risk.refresh_from_db()
    assert risk.version == 1


def test_raiser_may_edit_own_finding_others_may_not(project, members):
    mine = RiskFactory(project=project, raised_by=members[Role.CONTRIBUTOR])
    services.risk_update(risk=mine, acting_user=members[Role.CONTRIBUTOR], version=1, impact=1)
    with pytest.raises(PermissionDenied):
        services.risk_update(risk=mine, acting_user=members[Role.APPROVER], version=2, impact=2)


def test_status_accepted_only_through_acceptance(risk, members):
    with pytest.raises(ValidationError) as caught:
        services.risk_update(
            risk=risk, acting_user=members[Role.PROJECT_MANAGER], version=1, status="accepted"
        )
    assert "status" in caught.value.message_dict


# --- Acceptance -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_only_approvers_and_project_managers_accept(risk, members, role):
    allowed = role in (Role.APPROVER, Role.PROJECT_MANAGER)
    if allowed:
        accepted = services.risk_accept(risk=risk, acting_user=members[role], reason="Low exposure")
        assert accepted.status == "accepted"
        assert accepted.accepted_by == members[role]
        assert accepted.accepted_at is not None
        assert accepted.changes.first().note == "Accepted: Low exposure"
    else:
        with pytest.raises(PermissionDenied):
            services.risk_accept(risk=risk, acting_user=members[role], reason="Low exposure")


@pytest.mark.parametrize("role", [Role.APPROVER, Role.PROJECT_MANAGER])
def test_raiser_cannot_accept_own_risk(project, members, role):
    own = RiskFactory(project=project, raised_by=members[role])
    with pytest.raises(ValidationError, match="someone else"):
        services.risk_accept(risk=own, acting_user=members[role], reason="Fine by me")
    own.refresh_from_db()
    assert own.status == "open"


def test_blocker_cannot_be_accepted_without_workaround(project, members):
    blocker = RiskFactory(project=project, raised_by=members[Role.FACILITATOR], is_blocker=True)
    with pytest.raises(ValidationError) as caught:
        services.risk_accept(risk=blocker, acting_user=members[Role.APPROVER], reason="Go anyway")
    assert "workaround" in caught.value.message_dict
    blocker.refresh_from_db()
    assert blocker.status == "open"
    blocker = services.risk_update(
        risk=blocker, acting_user=members[Role.FACILITATOR], version=blocker.version,
        workaround="Post invoices manually for the first week.",
    )  # fmt: skip
    accepted = services.risk_accept(
        risk=blocker, acting_user=members[Role.APPROVER], reason="Workaround rehearsed"
    )
    assert accepted.status == "accepted"


def test_acceptance_needs_a_reason_and_a_current_version(risk, members):
    with pytest.raises(ValidationError) as caught:
        services.risk_accept(risk=risk, acting_user=members[Role.APPROVER], reason=" ")
    assert "reason" in caught.value.message_dict
    services.risk_update(risk=risk, acting_user=members[Role.FACILITATOR], version=1, impact=5)
    with pytest.raises(ConflictError):
        services.risk_accept(risk=risk, acting_user=members[Role.APPROVER], reason="ok", version=1)


def test_reopening_an_accepted_risk_clears_the_acceptance(risk, members):
    accepted = services.risk_accept(risk=risk, acting_user=members[Role.APPROVER], reason="ok")
    reopened = services.risk_update(
        risk=accepted, acting_user=members[Role.PROJECT_MANAGER], version=accepted.version,
        status="open",
    )  # fmt: skip
    assert (reopened.accepted_by, reopened.accepted_at, reopened.acceptance_reason) == (
        None,
        None,
        "",
    )
    assert reopened.changes.first().changes["accepted_by"] == [str(members[Role.APPROVER]), ""]


# --- Actions ------------------------------------------------------------------------------


def test_action_owner_must_be_a_member(risk, members, outsider):
    with pytest.raises(ValidationError) as caught:
        services.action_create(
            risk=risk, acting_user=members[Role.FACILITATOR], description="x", owner=outsider
        )
    assert "not a member" in caught.value.message_dict["owner"][0]


def test_action_cannot_be_added_to_an_assertion(project, members):
    assertion = RiskFactory(
        project=project, type="assertion", likelihood=None, impact=None,
        raised_by=members[Role.FACILITATOR],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="needs no mitigation"):
        services.action_create(
            risk=assertion, acting_user=members[Role.FACILITATOR], description="x",
            owner=members[Role.CONTRIBUTOR],
        )  # fmt: skip


def test_done_records_who_and_when_and_reopen_clears_it(action, members):
    owner = members[Role.CONTRIBUTOR]
    done = services.action_update_status(action=action, acting_user=owner, status="done")
    assert done.completed_by == owner
    assert done.completed_at is not None
    reopened = services.action_update_status(action=done, acting_user=owner, status="open")
    assert (reopened.completed_by, reopened.completed_at) == (None, None)
    history = list(MitigationActionChange.objects.filter(action=action).order_by("pk"))
    assert history[-2].changes == {"status": ["Open", "Done"]}
    assert history[-1].changes["status"] == ["Done", "Open"]


@pytest.mark.parametrize("role", Role.values)
def test_who_may_change_an_action_status(action, members, role):
    allowed = role in (Role.CONTRIBUTOR, Role.FACILITATOR, Role.PROJECT_MANAGER)  # owner + editors
    if allowed:
        services.action_update_status(
            action=action, acting_user=members[role], status="in_progress"
        )
        action.refresh_from_db()
        assert action.status == "in_progress"
    else:
        with pytest.raises(PermissionDenied):
            services.action_update_status(action=action, acting_user=members[role], status="done")


def test_owner_updates_notes_but_not_the_due_date(action, members):
    owner = members[Role.CONTRIBUTOR]
    services.action_update(action=action, acting_user=owner, notes="Vendor call booked")
    action.refresh_from_db()
    assert action.notes == "Vendor call booked"
    with pytest.raises(PermissionDenied):
        services.action_update(action=action, acting_user=owner, due_date=days(30))
    services.action_update(action=action, acting_user=members[Role.FACILITATOR], due_date=days(30))
    action.refresh_from_db()
    assert action.due_date == days(30)


def test_reassign_to_a_member_records_history(action, members):
    manager, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    services.action_reassign(action=action, acting_user=manager, owner=approver)
    action.refresh_from_db()
    assert action.owner == approver
    change = action.changes.first()
    assert change.changes == {"owner": [str(members[Role.CONTRIBUTOR]), str(approver)]}


def test_reassign_to_a_non_member_is_refused_with_a_clear_message(action, members):
    stranger = UserFactory(full_name="Sam Stranger")
    with pytest.raises(ValidationError) as caught:
        services.action_reassign(
            action=action, acting_user=members[Role.PROJECT_MANAGER], owner=stranger
        )
    assert caught.value.message_dict["owner"] == [
        f"Sam Stranger is not a member of {action.risk.project}, so they cannot own its actions. "
        "Choose a project member, or ask the project manager to add them first."
    ]
    action.refresh_from_db()
    assert action.owner == members[Role.CONTRIBUTOR]


@pytest.mark.parametrize("role", [Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_project_manager_and_facilitator_reassign(action, members, role):
    with pytest.raises(PermissionDenied):
        services.action_reassign(
            action=action, acting_user=members[role], owner=members[Role.VIEWER]
        )


def test_closed_action_is_not_reassigned(project, members, risk):
    done = MitigationActionFactory(
        risk=risk, owner=members[Role.CONTRIBUTOR], status="done", completed_at="2026-01-01T00:00Z"
    )
    with pytest.raises(ValidationError, match="only open actions"):
        services.action_reassign(
            action=done, acting_user=members[Role.PROJECT_MANAGER], owner=members[Role.APPROVER]
        )
    assert MitigationAction.objects.get(pk=done.pk).owner == members[Role.CONTRIBUTOR]


def test_bulk_reassign_moves_a_leavers_actions_and_skips_the_new_owners_own(risk, members):
    manager, approver = members[Role.PROJECT_MANAGER], members[Role.APPROVER]
    first = risk.actions.get()
    second = MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR])
    already = MitigationActionFactory(risk=risk, owner=approver)
    for action in (first, second, already):
        action.risk = risk
    moved = services.actions_reassign(
        actions=[first, second, already], acting_user=manager, owner=approver, note="Carla left"
    )
    assert {a.pk for a in moved} == {first.pk, second.pk}
    assert set(MitigationAction.objects.values_list("owner", flat=True)) == {approver.pk}
    assert MitigationActionChange.objects.filter(note="Carla left").count() == 2


def test_bulk_reassign_is_all_or_nothing(risk, members):
    first = risk.actions.get()
    done = MitigationActionFactory(
        risk=risk, owner=members[Role.CONTRIBUTOR], status="done", completed_at=timezone.now()
    )
    for action in (first, done):
        action.risk = risk
    with pytest.raises(ValidationError, match="only open actions"):
        services.actions_reassign(
            actions=[first, done], acting_user=members[Role.PROJECT_MANAGER],
            owner=members[Role.APPROVER],
        )  # fmt: skip
    assert MitigationAction.objects.get(pk=first.pk).owner == members[Role.CONTRIBUTOR]
    assert not MitigationActionChange.objects.filter(note="Reassigned").exists()


def test_findings_are_numbered_per_project_from_r_1(project, members):
    from tests.factories import MembershipFactory, ProjectFactory

    facilitator = members[Role.FACILITATOR]
    first = services.risk_create(
        project=project, acting_user=facilitator, title="First", likelihood=2, impact=2
    )
    second = services.risk_create(
        project=project, acting_user=facilitator, title="Second", likelihood=2, impact=2
    )
    other = ProjectFactory()
    MembershipFactory(project=other, user=facilitator, role=Role.FACILITATOR)
    elsewhere = services.risk_create(
        project=other, acting_user=facilitator, title="Elsewhere", likelihood=2, impact=2
    )
    assert [first.reference, second.reference, elsewhere.reference] == ["R-1", "R-2", "R-1"]
