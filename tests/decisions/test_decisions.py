import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, Outcome, Vote
from decisions.selectors import gate, overrides, vote_tally
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


def clear_the_gate(review, members):
    """Every item done and signed off: nothing stands in the way of a go."""
    for item in review.items.all():
        item = review_item_update(
            item=item, acting_user=members[Role.FACILITATOR], version=item.version, status="done"
        )
        item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")


# --- Gate -------------------------------------------------------------------------


def test_gate_of_a_new_review_keeps_blockers_and_blocking_items_apart(review):
    """A new review has no go-live blocker: nobody flagged one. Its items of blocker severity
    are counted apart, as blocking items not done yet."""
    state = gate(review)
    assert state["go_live_blockers"].total == 0
    assert state["blocker_items"].rows == []
    assert [i.key for i in state["blocking_not_done"].rows] == ["item-0-0", "item-1-0"]
    assert [i.key for i in state["unsigned_mandatory"].rows] == ["item-0-0", "item-1-0"]
    assert state["score"].state == "not_ready"
    assert state["clear"] is False


def test_gate_counts_flagged_items_and_blocker_findings_as_go_live_blockers(
    review, project, members
):
    from tests.factories import RiskFactory

    item = review.items.get(key="item-0-1")
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, is_blocker=True,
        blocker_reason="Payroll interface untested",
    )  # fmt: skip
    RiskFactory(project=project, is_blocker=True, raised_by=members[Role.FACILITATOR])
    blockers = gate(review)["go_live_blockers"]
    assert (blockers.items, blockers.findings, blockers.total) == (1, 1, 2)


def test_gate_done_but_unsigned_mandatory_item_stays_listed(review, members):
    item = review.items.get(key="item-0-0")
    review_item_update(item=item, acting_user=members[Role.FACILITATOR], version=1, status="done")
    state = gate(review)
    assert [i.key for i in state["blocking_not_done"].rows] == ["item-1-0"]
    assert "item-0-0" in [i.key for i in state["unsigned_mandatory"].rows]


def test_a_rejected_item_counts_in_the_gate_until_it_changes(review, members):
    item = review.items.get(key="item-0-1")
    item = review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, status="done"
    )
    item_sign_off(
        item=item, acting_user=members[Role.APPROVER], decision="reject", comment="No evidence"
    )
    state = gate(review)
    assert [i.key for i in state["rejected_items"].rows] == ["item-0-1"]
    assert state["score"].overall.rejected == 1
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version,
        response="Evidence attached",
    )  # fmt: skip
    assert gate(review)["rejected_items"].count == 0  # the change superseded the rejection


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
    assert state["overdue_actions"].count == 1


def test_gate_is_clear_when_everything_is_done_and_signed(review, members):
    clear_the_gate(review, members)
    state = gate(review)
    assert state["clear"] is True
    assert state["score"].state == "ready"


def test_gate_lists_come_from_the_cached_score_and_follow_a_change(project, members):
    """The gate reads which items each list holds from the cached score: the first 15 in
    checklist order, each linking to its item, the count whole; an item changed after the
    score was cached shows at once (the change makes a new cache key)."""
    from tests.factories import make_template

    template = make_template(sections=20, items_per_section=2, key="gate-lists")
    review = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    state = gate(review)
    unsigned = state["unsigned_mandatory"]
    assert (unsigned.count, unsigned.more) == (20, 5)
    assert [item.key for item in unsigned.rows] == [f"item-{s}-0" for s in range(15)]
    first = unsigned.rows[0]
    assert first.url == reverse("reviews:item_detail", args=[project.pk, review.pk, first.pk])
    assert state["blocker_items"].count == 0
    item = review.items.get(key="item-3-1")
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, is_blocker=True,
        blocker_reason="Interface untested",
    )  # fmt: skip
    state = gate(review)
    assert [row.key for row in state["blocker_items"].rows] == ["item-3-1"]
    assert state["go_live_blockers"].items == 1


@pytest.mark.parametrize("items", [6, 60])
def test_gate_query_count_does_not_grow_with_the_review(
    project, members, django_assert_max_num_queries, items
):
    from tests.factories import make_template

    template = make_template(sections=2, items_per_section=items // 2, key=f"gate-{items}")
    review = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    # The score (5 with a cold cache: its ids say what each item list holds), one for the
    # rows of the item lists with the items whose evidence expired, the blocker findings,
    # the overdue actions, the cutover plan, the support plan and the go / no-go criteria.
    with django_assert_max_num_queries(11):
        state = gate(review)
        assert state["unsigned_mandatory"].count == 2


# --- Votes ------------------------------------------------------------------------


def test_only_approvers_vote(review, members):
    decision = decision_open(review=review, acting_user=members[Role.PROJECT_MANAGER])
    for role in (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            vote_cast(decision=decision, acting_user=members[role], choice="go")
    vote_cast(decision=decision, acting_user=members[Role.APPROVER], choice="go")
    assert Vote.objects.count() == 1


def test_one_current_vote_per_person_changeable_until_recorded(review, members):
    approver = members[Role.APPROVER]
    decision = open_with_votes(review, members, approver, choice="no_go")
    vote_cast(decision=decision, acting_user=approver, choice="go", comment="Mock cutover passed")
    vote_cast(decision=decision, acting_user=approver, choice="go", comment="Mock cutover passed")
    tally = vote_tally(decision)
    assert tally["cast"] == 1
    assert [(v.choice, v.comment) for v in tally["votes"]] == [("go", "Mock cutover passed")]
    # The first vote stays in the history, superseded; the double submit added nothing.
    assert Vote.objects.filter(voter=approver).count() == 2
    assert Vote.objects.filter(voter=approver, superseded_at__isnull=True).count() == 1
    decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
        rationale="Not yet", what_must_change="Everything",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="votes can no longer change"):
        vote_cast(decision=decision, acting_user=approver, choice="no_go")


def test_the_database_refuses_a_second_current_vote(review, members):
    from django.db import IntegrityError, transaction

    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(decision=decision, voter=members[Role.APPROVER], choice="no_go")


def test_the_rule_counts_go_votes_a_split_vote_does_not_meet_it(review, members, second_approver):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    vote_cast(decision=decision, acting_user=second_approver, choice="no_go")
    tally = vote_tally(decision)
    assert (tally["cast"], tally["go"], tally["needed"], tally["met"]) == (2, 1, 2, False)
    vote_cast(decision=decision, acting_user=second_approver, choice="go")
    assert vote_tally(decision)["met"] is True


def test_rule_at_least_n_counts_go_votes(review, project, members, second_approver):
    project.vote_rule = "at_least"
    project.votes_required = 1
    project.save()
    decision = open_with_votes(review, members, second_approver, choice="abstain")
    assert vote_tally(decision)["met"] is False
    vote_cast(decision=decision, acting_user=members[Role.APPROVER], choice="go")
    assert vote_tally(decision)["met"] is True


def test_only_facilitator_or_manager_records(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(PermissionDenied):
        decision_record(
            decision=decision, acting_user=members[Role.APPROVER], outcome="no_go",
            rationale="x", what_must_change="y",
        )  # fmt: skip


def test_opening_the_vote_four_times_at_once_ends_at_one_open_vote(review, members):
    from django.db import IntegrityError

    first = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    # A second request that did not see the first one's row yet: the constraint stops its
    # insert, and it returns the vote already open.
    original_filter = Decision.objects.filter

    def not_seen_yet(*args, **kwargs):
        query = original_filter(*args, **kwargs)
        return query.none() if kwargs.get("status") == "open" and not args else query

    try:
        Decision.objects.filter = not_seen_yet
        again = decision_open(review=review, acting_user=members[Role.PROJECT_MANAGER])
    except IntegrityError:  # pragma: no cover - the failure this test guards against
        pytest.fail("a concurrent open raised instead of returning the open vote")
    finally:
        del Decision.objects.filter
    assert again.pk == first.pk
    assert Decision.objects.filter(review=review).count() == 1


# --- Decision types ---------------------------------------------------------------


def test_every_decision_needs_a_rationale(review, members):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    for outcome in ("go", "no_go"):
        with pytest.raises(ValidationError) as refused:
            decision_record(
                decision=decision, acting_user=members[Role.FACILITATOR], outcome=outcome,
                what_must_change="x",
            )  # fmt: skip
        assert "rationale" in refused.value.message_dict


def test_go_on_a_clear_gate_with_the_votes_is_no_override(review, members):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    decision = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="go",
        rationale="All clear",
    )  # fmt: skip
    assert (decision.outcome, decision.effective_outcome, decision.recorded_by) == (
        "go",
        "go",
        members[Role.FACILITATOR],
    )
    assert decision.is_override is False
    assert decision.snapshot["votes"][0]["choice"] == "go"
    assert decision.snapshot["override"] is None


def test_the_facilitator_cannot_record_go_over_a_not_ready_gate(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    with pytest.raises(PermissionDenied, match="Only the project manager"):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="go",
            rationale="We feel good about it",
        )  # fmt: skip
    decision.refresh_from_db()
    assert decision.status == "open"


def test_a_go_against_split_votes_is_an_override(review, members, second_approver):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    vote_cast(decision=decision, acting_user=second_approver, choice="no_go")
    with pytest.raises(PermissionDenied):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="go",
            rationale="Majority is enough",
        )  # fmt: skip
    assert overrides(gate(review), vote_tally(decision)) == [
        "votes that do not meet the rule: 1 go of 2 needed (1 no-go, 0 abstain)"
    ]


def test_the_project_manager_overrides_with_a_reason_and_a_named_confirmation(review, members):
    decision = open_with_votes(review, members, members[Role.APPROVER])
    manager = members[Role.PROJECT_MANAGER]
    overridden = overrides(gate(review), vote_tally(decision))
    assert overridden == ["a not ready gate: 2 mandatory items not done and signed"]
    with pytest.raises(ValidationError) as refused:
        decision_record(
            decision=decision, acting_user=manager, outcome="go", rationale="Board says go"
        )
    assert set(refused.value.message_dict) == {"override_reason", "confirm_override"}
    with pytest.raises(ValidationError, match="Confirm that you record a go against"):
        decision_record(
            decision=decision, acting_user=manager, outcome="go", rationale="Board says go",
            override_reason="The two items are paperwork", confirm_override=["something else"],
        )  # fmt: skip
    decision = decision_record(
        decision=decision, acting_user=manager, outcome="go", rationale="Board says go",
        override_reason="The two items are paperwork", confirm_override=overridden,
    )  # fmt: skip
    assert decision.is_override
    assert decision.override_line == (
        "Go, recorded against a not ready gate: 2 mandatory items not done and signed by "
        f"{manager}: The two items are paperwork"
    )
    frozen = decision.snapshot
    assert frozen["override"] == {
        "by": str(manager), "reason": "The two items are paperwork", "what": overridden,
    }  # fmt: skip
    assert frozen["gate"]["clear"] is False
    assert frozen["gate"]["unsigned_mandatory"] == 2
    assert frozen["vote_split"]["text"] == "1 go of 1 needed (0 no-go, 0 abstain)"


def test_conditional_go_needs_conditions_before_go_live(review, members, project):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    facilitator = members[Role.FACILITATOR]
    with pytest.raises(ValidationError, match="at least one condition"):
        decision_record(
            decision=decision, acting_user=facilitator, outcome="conditional_go", rationale="x"
        )
    late = {
        "description": "Mock cutover",
        "owner": members[Role.CONTRIBUTOR],
        "due_date": project.go_live_date,
    }
    with pytest.raises(ValidationError, match="before the go-live date"):
        decision_record(
            decision=decision, acting_user=facilitator, outcome="conditional_go",
            rationale="x", conditions=[late],
        )  # fmt: skip
    ok = {**late, "due_date": in_days(5)}
    decision = decision_record(
        decision=decision, acting_user=facilitator, outcome="conditional_go", rationale="x",
        conditions=[ok],
    )  # fmt: skip
    assert decision.conditions.get().owner == members[Role.CONTRIBUTOR]


def test_condition_owner_must_be_a_member(review, members, outsider):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    condition = {"description": "X", "owner": outsider, "due_date": in_days(3)}
    with pytest.raises(ValidationError, match="owner who is a project member"):
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="conditional_go",
            rationale="x", conditions=[condition],
        )  # fmt: skip


def test_no_go_needs_what_must_change_and_a_new_date_moves_the_project(review, members, project):
    decision = open_with_votes(review, members, members[Role.APPROVER], choice="no_go")
    facilitator = members[Role.FACILITATOR]
    with pytest.raises(ValidationError, match="what must change"):
        decision_record(decision=decision, acting_user=facilitator, outcome="no_go", rationale="x")
    old_date = project.go_live_date
    decision = decision_record(
        decision=decision, acting_user=facilitator, outcome="no_go",
        rationale="Migration does not fit", what_must_change="Data migration must fit the window",
        new_go_live_date=in_days(60),
    )  # fmt: skip
    project.refresh_from_db()
    assert decision.new_go_live_date == project.go_live_date == in_days(60)
    change = decision.go_live_change
    assert (change.old_date, change.new_date, change.changed_by) == (
        old_date, in_days(60), facilitator,
    )  # fmt: skip
    assert "Migration does not fit" in change.reason
    tbd = open_with_votes(review, members, members[Role.APPROVER], choice="no_go")
    tbd = decision_record(
        decision=tbd, acting_user=facilitator, outcome="no_go", rationale="x", what_must_change="x"
    )
    assert tbd.new_go_live_date is None  # "to be decided"
    assert tbd.go_live_change is None
    project.refresh_from_db()
    assert project.go_live_date == in_days(60)


def test_approvers_are_told_when_a_vote_opens_and_members_when_a_decision_stands(
    review, members, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
    (opened,) = mail.outbox
    assert opened.to == [members[Role.APPROVER].email]
    assert "Your go / no-go vote" in opened.subject
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(decision=decision, acting_user=members[Role.APPROVER], choice="no_go")
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
            rationale="UAT is not done", what_must_change="Finish UAT",
        )  # fmt: skip
    recorded = mail.outbox[1]
    assert sorted(recorded.to) == sorted(user.email for user in members.values())
    assert "No-go" in recorded.subject
    assert "UAT is not done" in recorded.body
    # The tasks run again (a redelivery): nobody is told twice.
    from decisions.tasks import decision_recorded_notify_task, decision_vote_opened_notify_task

    decision_vote_opened_notify_task(decision.pk)
    decision_recorded_notify_task(decision.pk)
    assert len(mail.outbox) == 2


# --- Conditional go reverting -----------------------------------------------------------


def conditional_go(review, members, due_in=5):
    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    condition = {"description": "Mock cutover fits the window", "owner": members[Role.CONTRIBUTOR],
                 "due_date": in_days(due_in)}  # fmt: skip
    return decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome=Outcome.CONDITIONAL_GO,
        rationale="Go if the mock cutover fits", conditions=[condition],
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
    decision = open_with_votes(review, members, members[Role.APPROVER], choice="no_go")
    decision = decision_record(
        decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
        rationale="Not ready", what_must_change="Finish the mandatory items",
    )  # fmt: skip
    frozen = decision.snapshot
    assert frozen["score"]["overall"]["unsigned_mandatory"] == 2
    assert frozen["gate"]["blocking_not_done"] == 2
    for item in review.items.all():
        review_item_update(
            item=item, acting_user=members[Role.FACILITATOR], version=item.version, status="done"
        )
    decision.refresh_from_db()
    assert decision.snapshot == frozen
    assert gate(review)["blocking_not_done"].count == 0


# --- Pages ---------------------------------------------------------------------------------


def decision_url(review, name="decision"):
    return reverse(f"decisions:{name}", args=[review.project_id, review.pk])


def record_data(outcome, **fields):
    return {
        "outcome": outcome, "condition-TOTAL_FORMS": "3", "condition-INITIAL_FORMS": "0",
        "condition-MIN_NUM_FORMS": "0", "condition-MAX_NUM_FORMS": "10", **fields,
    }  # fmt: skip


def test_decision_pages_end_to_end(client_for, review, members):
    clear_the_gate(review, members)
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
    assert "rule met" in response.text
    facilitator = client_for(members[Role.FACILITATOR])
    page = facilitator.get(decision_url(review)).text
    record_url = decision_url(review, "decision_record")
    assert f'hx-get="{record_url}"' in page  # the form loads on demand
    form = facilitator.get(record_url, headers={"HX-Request": "true"}).text
    assert "<html" not in form
    assert 'name="rationale"' in form
    data = record_data(
        "conditional_go", rationale="Go if the mock cutover fits",
        **{"condition-0-description": "Mock cutover within 24 hours",
           "condition-0-owner": members[Role.CONTRIBUTOR].pk,
           "condition-0-due_date": in_days(7).isoformat()},
    )  # fmt: skip
    response = facilitator.post(record_url, data, follow=True)
    assert "Decision recorded: Conditional go." in response.text
    assert "Mock cutover within 24 hours" in response.text
    project_page = facilitator.get(review.project.get_absolute_url())
    assert "Conditional go" in project_page.text


@pytest.mark.parametrize("recorded", [1, 4])
def test_the_gate_page_links_earlier_decisions_in_flat_queries(
    client_for, review, members, recorded, django_assert_max_num_queries
):
    """Earlier decisions on the review are listed with their outcome and link, without a
    query per decision."""
    for _ in range(recorded):
        decision = decision_open(review=review, acting_user=members[Role.FACILITATOR])
        decision_record(
            decision=decision, acting_user=members[Role.FACILITATOR], outcome="no_go",
            rationale="Not yet", what_must_change="Sign the mandatory items",
        )  # fmt: skip
    client = client_for(members[Role.FACILITATOR])
    client.get(decision_url(review))  # warm the score cache
    with django_assert_max_num_queries(14):
        page = client.get(decision_url(review)).text
    assert "Earlier decisions on this review" in page
    assert page.count(">No-go</a>") == recorded
    latest = Decision.objects.filter(review=review).order_by("-recorded_at").first()
    assert latest.get_absolute_url() in page


def test_a_decision_without_a_rationale_is_refused_in_the_page(client_for, review, members):
    client = client_for(members[Role.FACILITATOR])
    client.post(decision_url(review, "decision_open"))
    response = client.post(
        decision_url(review, "decision_record"), record_data("no_go", what_must_change="x")
    )
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert not Decision.objects.filter(status="recorded").exists()


def test_the_facilitator_is_offered_a_no_go_only_when_a_go_would_be_an_override(
    client_for, review, members
):
    client = client_for(members[Role.FACILITATOR])
    client.post(decision_url(review, "decision_open"))
    form = client.get(decision_url(review, "decision_record")).text
    assert "Only the project manager may record a go" in form
    assert 'value="go"' not in form
    assert 'value="no_go"' in form
    response = client.post(
        decision_url(review, "decision_record"), record_data("go", rationale="Feels fine")
    )
    assert response.status_code == 422
    assert not Decision.objects.filter(status="recorded").exists()


def test_the_manager_records_an_override_in_the_page_and_it_shows_everywhere(
    client_for, review, members, project
):
    manager = client_for(members[Role.PROJECT_MANAGER])
    manager.post(decision_url(review, "decision_open"))
    decision = Decision.objects.get(status="open")
    overridden = overrides(gate(review), vote_tally(decision))
    form = manager.get(decision_url(review, "decision_record")).text
    for sentence in overridden:
        assert sentence in form
    response = manager.post(
        decision_url(review, "decision_record"),
        record_data(
            "go", rationale="The board accepts the risk", override_reason="Paperwork only",
            confirm_override=overridden,
        ),
        follow=True,
    )  # fmt: skip
    decision.refresh_from_db()
    line = decision.override_line
    assert line.startswith("Go, recorded against a not ready gate")
    assert line in response.text  # the decision page
    assert line in manager.get(project.get_absolute_url()).text  # the project page


def test_the_decision_page_dates_the_frozen_overdue_actions_as_people_read_them(
    client_for, review, members, project
):
    from tests.factories import MitigationActionFactory, RiskFactory

    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR])
    due = in_days(-3)
    MitigationActionFactory(
        risk=risk, owner=members[Role.CONTRIBUTOR], due_date=due, description="Retest roles"
    )
    decision = decision_record(
        decision=decision_open(review=review, acting_user=members[Role.FACILITATOR]),
        acting_user=members[Role.FACILITATOR], outcome="no_go",
        rationale="Not ready", what_must_change="Retest",
    )  # fmt: skip
    page = client_for(members[Role.VIEWER]).get(decision.get_absolute_url()).text
    assert f"Retest roles — {members[Role.CONTRIBUTOR]}, due {due:%-d %b %Y}" in page
    assert due.isoformat() not in page


@pytest.mark.parametrize("extra_members", [0, 30])
def test_the_record_form_reads_the_members_once(
    client_for, review, members, project, django_assert_max_num_queries, extra_members
):
    """The conditions' owner choices and the vote tally's approvers come from one read of
    the project's members: the form costs the same with 6 members or 36. A member whose
    account is closed is not offered."""
    from tests.factories import MembershipFactory, UserFactory

    for number in range(extra_members):
        role = Role.APPROVER if number % 3 == 0 else Role.CONTRIBUTOR
        MembershipFactory(project=project, role=role, user=UserFactory(full_name=f"Extra {number}"))
    gone = UserFactory(full_name="Gone Person", is_active=False)
    MembershipFactory(project=project, role=Role.CONTRIBUTOR, user=gone)
    client = client_for(members[Role.PROJECT_MANAGER])
    client.post(decision_url(review, "decision_open"))
    client.get(decision_url(review, "decision_record"))  # warm the score cache
    with django_assert_max_num_queries(16):  # the gate's, the vote's and one for the members
        form = client.get(decision_url(review, "decision_record")).text
    for user in members.values():
        assert f'value="{user.pk}">{user}</option>' in form
    assert "Gone Person" not in form
    approvers = 1 + len(range(0, extra_members, 3))
    assert f"0 go of {approvers} needed" in form
