import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, Outcome, Vote
from decisions.selectors import gate, vote_tally
from decisions.services import (
    decision_condition_met,
    decision_open,
    decision_record,
    decisions_revert_missed_conditions,
    vote_cast,
)
from projects.models import Role
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off
from tests.factories import MembershipFactory, UserFactory, make_review


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


@pytest.fixture
def second_approver(project):
    user = UserFactory(full_name="Second Approver")
    MembershipFactory(project=project, user=user, role=Role.APPROVER)
    return user


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def open_with_votes(review, members, *voters, choice="go"):
    decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    for voter in voters:
        vote_cast(decision=decision, acting_user=voter, choice=choice)
    return decision


# --- Gate -------------------------------------------------------------------------


def test_gate_of_a_new_review_lists_blockers_and_mandatory_items(review):
    state = gate(review)
    assert [i.key for i in state["blocker_items"]] == ["item-0-0", "item-1-0"]
    assert [i.key for i in state["unsigned_mandatory"]] == ["item-0-0", "item-1-0"]
    assert state["score"].state == "not_ready"
    assert state["clear"] is False


def test_gate_done_but_unsigned_mandatory_item_stays_listed(review, members):
    item = review.items.get(key="item-0-0")
    review_item_update(item=item, acting_user=members[Role.FACILITATOR], version=1, status="done")
    state = gate(review)
    assert [i.key for i in state["blocker_items"]] == ["item-1-0"]
    assert "item-0-0" in [i.key for i in state["unsigned_mandatory"]]


def test_gate_lists_blocker_risks_and_overdue_actions(review, project, members):
    from tests.factories import MitigationActionFactory, RiskFactory

    risk = RiskFactory(project=project, is_blocker=True, raised_by=members[Role.FACILITATOR])
    MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR], due_date=in_days(-2))
    accepted = RiskFactory(
        project=project, is_blocker=True, status="accepted", workaround="Manual posting",
        raised_by=members[Role.FACILITATOR],
    )  # fmt: skip
    state = gate(review)
    assert [r.pk for r in state["blocker_risks"]] == [risk.pk]
    assert accepted.pk not in [r.pk for r in state["blocker_risks"]]
    assert len(state["overdue_actions"]) == 1


def test_gate_is_clear_when_everything_is_done_and_signed(review, members):
    for item in review.items.all():
        item = review_item_update(
            item=item, acting_user=members[Role.FACILITATOR], version=1, status="done"
        )
        item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    state = gate(review)
    assert state["clear"] is True
    assert state["score"].state == "ready"


# --- Votes ------------------------------------------------------------------------


def test_only_approvers_vote(review, members):
    decision = decision_open(review=review, acting_user=members[Role.PROJECT_MANAGER])
    for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            vote_cast(decision=decision, acting_user=members[role], choice="go")
    vote_cast(decision=decision, acting_user=members[Role.APPROVER], choice="go")
    assert Vote.objects.count() == 1


def test_one_vote_per_person_changeable_until_recorded(review, members):
    approver = members[Role.APPROVER]
    decision = open_with_votes(review, members, approver, choice="no_go")
    vote_cast(decision=decision, acting_user=approver, choice="go", comment="Mock cutover passed")
    tally = vote_tally(decision)
    assert tally["cast"] == 1
    assert [(v.choice, v.comment) for v in tally["votes"]] == [("go", "Mock cutover passed")]
    assert Vote.objects.filter(voter=approver).count() == 2  # the first vote stays in the history
    decision_record(decision=decision, acting_user=members[Role.FACILITATOR], outcome="go")
    with pytest.raises(ValidationError, match="votes can no longer change"):
        vote_cast(decision=decision, acting_user=approver, choice="no_go")


def test_rule_all_needs_every_approver(review, members, second_approver):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(ValidationError, match="needs 2 approver vote"):
        decision_record(decision=decision, acting_user=members[Role.FACILITATOR], outcome="go")
    vote_cast(decision=decision, acting_user=second_approver, choice="abstain")
    decision = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="go"
    )
    assert decision.status == "recorded"


def test_rule_at_least_n(review, project, members, second_approver):
    project.vote_rule = "at_least"
    project.votes_required = 1
    project.save()
    decision = open_with_votes(review, members, second_approver)
    assert vote_tally(decision)["enough"] is True
    decision_record(decision=decision, acting_user=members[Role.PROJECT_MANAGER], outcome="go")


def test_only_facilitator_or_manager_records(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(PermissionDenied):
        decision_record(decision=decision, acting_user=members[Role.APPROVER], outcome="go")


# --- Decision types ---------------------------------------------------------------


def test_go_decision(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    decision = decision_record(
        decision=decision,
        acting_user=members[Role.FACILITATOR],
        outcome="go",
        rationale="All clear",
    )
    assert (decision.outcome, decision.effective_outcome, decision.recorded_by) == (
        "go",
        "go",
        members[Role.FACILITATOR],
    )
    assert decision.snapshot["votes"][0]["choice"] == "go"


def test_conditional_go_needs_conditions_before_go_live(review, members, project):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(ValidationError, match="at least one condition"):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="conditional_go"
        )
    late = {
        "description": "Mock cutover",
        "owner": members[Role.CONTRIBUTOR],
        "due_date": project.go_live_date,
    }
    with pytest.raises(ValidationError, match="before the go-live date"):
        decision_record(
            decision=decision,
            acting_user=members[Role.FACILITATOR],
            outcome="conditional_go",
            conditions=[late],
        )
    ok = {**late, "due_date": in_days(5)}
    decision = decision_record(
        decision=decision,
        acting_user=members[Role.FACILITATOR],
        outcome="conditional_go",
        conditions=[ok],
    )
    assert decision.conditions.get().owner == members[Role.CONTRIBUTOR]


def test_condition_owner_must_be_a_member(review, members, outsider):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    condition = {"description": "X", "owner": outsider, "due_date": in_days(3)}
    with pytest.raises(ValidationError, match="owner who is a project member"):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="conditional_go",
            conditions=[condition],
        )  # fmt: skip


def test_no_go_needs_what_must_change_and_takes_a_new_date(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER], choice="no_go")
    with pytest.raises(ValidationError, match="what must change"):
        decision_record(decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go")
    decision = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
        what_must_change="Data migration must fit the window", new_go_live_date=in_days(60),
    )  # fmt: skip
    assert decision.new_go_live_date == in_days(60)
    tbd = open_with_votes(review, members, members[Role.APPROVER], choice="no_go")
    tbd = decision_record(
        decision=tbd, acting_user=members[Role.FACILITATOR], outcome="no_go", what_must_change="x"
    )
    assert tbd.new_go_live_date is None  # "to be decided"


# --- Conditional go reverting -----------------------------------------------------------


def conditional_go(review, members, due_in=5):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    condition = {"description": "Mock cutover fits the window", "owner": members[Role.CONTRIBUTOR],
                 "due_date": in_days(due_in)}  # fmt: skip
    return decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome=Outcome.CONDITIONAL_GO,
        conditions=[condition],
    )  # fmt: skip


def test_missed_condition_reverts_to_no_go_once_and_sends_nothing_itself(
    review, members, django_capture_on_commit_callbacks
):
    decision = conditional_go(review, members, due_in=5)
    assert decisions_revert_missed_conditions(today=in_days(5)) == []  # due today: not missed yet
    with django_capture_on_commit_callbacks(execute=True):
        reverted = decisions_revert_missed_conditions(today=in_days(6))
    decision.refresh_from_db()
    assert [d.pk for d in reverted] == [decision.pk]
    assert decision.effective_outcome == "no_go"
    assert "Mock cutover fits the window" in decision.revert_reason
    assert decision.conditions.get().missed_at is not None
    # People hear of it once, in their reminder digest (tests/reminders), not from here.
    assert mail.outbox == []
    # Running the check again changes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert decisions_revert_missed_conditions(today=in_days(7)) == []
    assert mail.outbox == []


def test_met_condition_does_not_revert(review, members):
    decision = conditional_go(review, members, due_in=5)
    decision_condition_met(
        condition=decision.conditions.get(), acting_user=members[Role.CONTRIBUTOR]
    )
    assert decisions_revert_missed_conditions(today=in_days(30)) == []
    decision.refresh_from_db()
    assert decision.effective_outcome == "conditional_go"


# --- Snapshot -------------------------------------------------------------------------


def test_snapshot_does_not_change_when_items_change_afterwards(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    decision = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="go"
    )
    frozen = decision.snapshot
    assert frozen["score"]["overall"]["open_blockers"] == 2
    for item in review.items.all():
        review_item_update(
            item=item, acting_user=members[Role.FACILITATOR], version=item.version, status="done"
        )
    decision.refresh_from_db()
    assert decision.snapshot == frozen
    assert gate(review)["score"].overall.open_blockers == 0


# --- Pages ---------------------------------------------------------------------------------


def decision_url(review, name="decision"):
    return reverse(f"decisions:{name}", args=[review.project_id, review.pk])


def test_decision_pages_end_to_end(client_for, review, members):
    facilitator = client_for(members[Role.FACILITATOR])
    page = facilitator.get(decision_url(review))
    assert "Gate" in page.text
    assert "No vote is open on this review." in page.text
    facilitator.post(decision_url(review, "decision_open"))
    approver = client_for(members[Role.APPROVER])
    response = approver.post(
        decision_url(review, "decision_vote"), {"choice": "go", "comment": "OK"}, follow=True
    )
    assert "Your vote is recorded." in response.text
    facilitator = client_for(members[Role.FACILITATOR])
    data = {
        "outcome": "conditional_go", "rationale": "Go if the mock cutover fits",
        "condition-TOTAL_FORMS": "3", "condition-INITIAL_FORMS": "0",
        "condition-MIN_NUM_FORMS": "0", "condition-MAX_NUM_FORMS": "10",
        "condition-0-description": "Mock cutover within 24 hours",
        "condition-0-owner": members[Role.CONTRIBUTOR].pk,
        "condition-0-due_date": in_days(7).isoformat(),
    }  # fmt: skip
    response = facilitator.post(decision_url(review, "decision_record"), data, follow=True)
    assert "Decision recorded: Conditional go." in response.text
    assert "Mock cutover within 24 hours" in response.text
    project_page = facilitator.get(review.project.get_absolute_url())
    assert "Conditional go" in project_page.text


def test_record_without_enough_votes_shows_a_message(client_for, review, members):
    client = client_for(members[Role.FACILITATOR])
    client.post(decision_url(review, "decision_open"))
    response = client.post(
        decision_url(review, "decision_record"),
        {"outcome": "go", "condition-TOTAL_FORMS": "0", "condition-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 422
    assert "needs 1 approver vote(s); 0 cast" in response.text
    assert not Decision.objects.filter(status="recorded").exists()
