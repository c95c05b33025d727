"""The go / no-go criteria a project's team sets: built-ins switched on or off, thresholds on
counts the app knows, values the team attests (and that go stale). Evaluated on the gate,
named in overrides, frozen in the snapshot, listed in the PDF."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import ConflictError
from decisions.criteria import BUILTINS, METRICS, metric_counts
from decisions.models import Attestation, GateCriterion, GateCriterionChange, Outcome
from decisions.selectors import gate, overrides, vote_tally
from decisions.services import decision_record
from decisions.services_criteria import (
    gate_criterion_attest,
    gate_criterion_builtin_switch,
    gate_criterion_create,
    gate_criterion_remove,
    gate_criterion_update,
)
from projects.models import Role
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off
from tests.cutover.test_gate_criteria import rehearse, sign_the_plan
from tests.decisions.test_decisions import clear_the_gate, in_days, open_with_votes
from tests.factories import MitigationActionFactory, ProjectFactory, RiskFactory, make_review

pytestmark = pytest.mark.django_db

PM, F, A, C, V = (Role.PROJECT_MANAGER, Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[F])


def result(review, key):
    return next(r for r in gate(review)["criteria"] if r.key == key)


def threshold(project, members, metric="open_high_risks", comparator="lte", target=2):
    return gate_criterion_create(
        project=project, acting_user=members[PM], kind="threshold", metric=metric,
        comparator=comparator, target=target,
    )  # fmt: skip


def attested(project, members, label="Severity-1 UAT defects open", max_age_days=14):
    return gate_criterion_create(
        project=project, acting_user=members[PM], kind="attested", label=label,
        comparator="eq", target=0, max_age_days=max_age_days,
    )  # fmt: skip


def high_risks(project, members, count):
    for _ in range(count):
        RiskFactory(project=project, raised_by=members[F], likelihood=4, impact=4)  # 16: high


# --- Defaults -------------------------------------------------------------------------


def test_a_project_that_never_set_criteria_gets_every_built_in(review):
    criteria = gate(review)["criteria"]
    assert [r.key for r in criteria] == list(BUILTINS)
    assert criteria.switched_off == []
    assert not GateCriterion.objects.exists()  # read without writing


def test_a_clear_review_meets_every_built_in(review, members):
    clear_the_gate(review, members)
    state = gate(review)
    assert [r.state for r in state["criteria"]] == ["met"] * len(BUILTINS)
    assert state["clear"]


# --- Each built-in, met and not met ------------------------------------------------------


def test_builtin_blockers(review, project, members):
    assert result(review, "blockers").met
    item = review.items.get(key="item-0-1")
    review_item_update(
        item=item, acting_user=members[F], version=1, is_blocker=True, blocker_reason="Untested"
    )
    RiskFactory(project=project, is_blocker=True, raised_by=members[F])
    found = result(review, "blockers")
    assert (found.state, found.sentence) == ("not_met", "2 open go-live blockers.")
    assert found.phrases == ("2 go-live blockers",)


def test_builtin_mandatory_signed(review, members):
    found = result(review, "mandatory_signed")
    assert (found.state, found.sentence) == (
        "not_met",
        "2 mandatory items not done and signed off.",
    )
    clear_the_gate(review, members)
    assert result(review, "mandatory_signed").sentence == (
        "Every mandatory item is done and signed off."
    )


def test_builtin_rejected_items(review, members):
    assert result(review, "rejected_items").met
    item = review.items.get(key="item-0-1")
    item = review_item_update(item=item, acting_user=members[F], version=1, status="done")
    item_sign_off(item=item, acting_user=members[A], decision="reject", comment="No evidence")
    found = result(review, "rejected_items")
    assert (found.state, found.phrases) == ("not_met", ("1 rejected item",))


def test_builtin_overdue_actions(review, project, members):
    assert result(review, "overdue_actions").met
    risk = RiskFactory(project=project, raised_by=members[F])
    MitigationActionFactory(risk=risk, owner=members[C], due_date=in_days(-1))
    found = result(review, "overdue_actions")
    assert (found.state, found.sentence) == ("not_met", "1 overdue mitigation action.")


def test_builtin_cutover_criteria_are_met_without_a_plan(review):
    for key in ("cutover_signed_off", "rehearsal_fits"):
        found = result(review, key)
        assert (found.state, found.sentence) == ("met", "No cutover plan, so not checked.")


def test_builtin_cutover_criteria_with_an_unsigned_plan_and_no_rehearsal(
    review, plan_version, three_steps
):
    signed = result(review, "cutover_signed_off")
    assert (signed.state, signed.sentence) == (
        "not_met",
        "Cutover plan version 1 is not signed off.",
    )
    fits = result(review, "rehearsal_fits")
    assert (fits.state, fits.phrases) == ("not_met", ("no finished cutover rehearsal",))


def test_builtin_cutover_criteria_with_a_signed_plan_a_fitting_then_an_overrunning_rehearsal(
    review, project, members, plan_version, three_steps
):
    sign_the_plan(plan_version, project, members)
    rehearse(plan_version, three_steps, members, hours=4)
    assert result(review, "cutover_signed_off").met
    assert result(review, "rehearsal_fits").met
    rehearse(plan_version, three_steps, members, hours=61)
    fits = result(review, "rehearsal_fits")
    assert (fits.state, fits.sentence) == ("not_met", "Rehearsal 2 overran the window by 1 h.")


# --- Switching built-ins off -------------------------------------------------------------


def test_a_built_in_switched_off_no_longer_keeps_the_gate_from_clearing(review, project, members):
    clear_the_gate(review, members)
    risk = RiskFactory(project=project, raised_by=members[F])
    MitigationActionFactory(risk=risk, owner=members[C], due_date=in_days(-1))
    assert not gate(review)["clear"]
    gate_criterion_builtin_switch(
        project=project, acting_user=members[PM], key="overdue_actions", enabled=False
    )
    state = gate(review)
    assert state["clear"]
    assert "overdue_actions" not in [r.key for r in state["criteria"]]
    assert state["criteria"].switched_off == ["No overdue mitigation action"]
    # Its list stays on the gate, for information.
    assert state["overdue_actions"].count == 1
    gate_criterion_builtin_switch(
        project=project, acting_user=members[PM], key="overdue_actions", enabled=True
    )
    assert not gate(review)["clear"]
    notes = list(GateCriterionChange.objects.order_by("pk").values_list("note", flat=True))
    assert notes == ["switched off", "switched on"]


def test_an_unknown_built_in_cannot_be_switched(project, members):
    with pytest.raises(ValidationError):
        gate_criterion_builtin_switch(
            project=project, acting_user=members[PM], key="nonsense", enabled=False
        )


# --- Thresholds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "target", "met", "words"),
    [
        ("lte", 3, True, "at most 3"),
        ("lte", 2, False, "at most 2"),
        ("lt", 4, True, "fewer than 4"),
        ("lt", 3, False, "fewer than 3"),
        ("eq", 3, True, "exactly 3"),
        ("eq", 0, False, "exactly 0"),
        ("gte", 3, True, "at least 3"),
        ("gte", 4, False, "at least 4"),
    ],
)
def test_threshold_with_each_comparator(review, project, members, comparator, target, met, words):
    high_risks(project, members, 3)
    RiskFactory(project=project, raised_by=members[F], likelihood=2, impact=2)  # low: not counted
    criterion = threshold(project, members, comparator=comparator, target=target)
    found = result(review, f"threshold-{criterion.pk}")
    assert found.met is met
    assert found.label == f"Open high or critical risks {words}"
    assert found.sentence == f"3 open high or critical risks ({words})."
    assert found.phrases == (() if met else (f"3 open high or critical risks ({words})",))


def test_every_metric_is_counted(review, project, members):
    high_risks(project, members, 2)
    RiskFactory(project=project, raised_by=members[F], likelihood=1, impact=2)
    RiskFactory(project=project, raised_by=members[F], status="closed", likelihood=5, impact=5)
    risk = RiskFactory(project=project, raised_by=members[F], is_blocker=True)
    MitigationActionFactory(risk=risk, owner=members[C], due_date=in_days(-1))
    MitigationActionFactory(risk=risk, owner=members[C])
    item = review.items.get(key="item-0-1")
    review_item_update(item=item, acting_user=members[F], version=1, status="in_progress")
    counts = metric_counts(gate(review), set(METRICS))
    assert set(counts) >= set(METRICS)
    assert counts["open_high_risks"] == 2
    assert counts["open_risks"] == 4
    assert counts["open_blocker_findings"] == 1
    assert counts["overdue_actions"] == 1
    assert counts["open_actions"] == 2
    assert counts["items_in_progress"] == 1
    assert counts["items_not_started"] == review.items.count() - 1
    assert counts["unsigned_mandatory"] == 2


def test_a_threshold_needs_a_known_count_and_a_number(project, members):
    with pytest.raises(ValidationError) as error:
        gate_criterion_create(
            project=project, acting_user=members[PM], kind="threshold", metric="bogus",
            comparator="lte", target=None,
        )  # fmt: skip
    assert set(error.value.message_dict) == {"metric", "target"}


# --- Attested values ---------------------------------------------------------------------


def attest(criterion, user, value, days_ago=0):
    attestation = gate_criterion_attest(
        criterion=criterion, acting_user=user, value=value, evidence="Defect tracker report"
    )
    if days_ago:
        Attestation.objects.filter(pk=attestation.pk).update(
            attested_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return attestation


def test_attested_value_missing_fresh_and_stale(review, project, members):
    criterion = attested(project, members)
    key = f"attested-{criterion.pk}"
    found = result(review, key)
    assert (found.state, found.sentence) == (
        "missing",
        "Severity-1 UAT defects open: no value attested yet (must be exactly 0).",
    )
    assert found.phrases == ("Severity-1 UAT defects open not attested",)
    attest(criterion, members[A], 2, days_ago=13)
    assert result(review, key).state == "not_met"
    attest(criterion, members[F], 0)
    found = result(review, key)
    assert found.state == "met"  # the latest counts
    assert f"0, attested by {members[F]}" in found.sentence
    Attestation.objects.filter(criterion=criterion).update(
        attested_at=timezone.now() - datetime.timedelta(days=15)
    )
    found = result(review, key)
    assert found.state == "missing"
    assert "is older than 14 days, so it counts as missing" in found.sentence
    assert found.phrases == ("Severity-1 UAT defects open attested more than 14 days ago",)


def test_attested_value_without_a_max_age_never_goes_stale(review, project, members):
    criterion = attested(project, members, max_age_days=None)
    attest(criterion, members[PM], 0, days_ago=400)
    assert result(review, f"attested-{criterion.pk}").state == "met"


def test_an_attestation_needs_evidence_and_an_attester(project, members):
    criterion = attested(project, members)
    with pytest.raises(ValidationError) as error:
        gate_criterion_attest(criterion=criterion, acting_user=members[A], value=0)
    assert "evidence" in error.value.message_dict
    for role in (C, V):
        with pytest.raises(PermissionDenied):
            gate_criterion_attest(
                criterion=criterion, acting_user=members[role], value=0, evidence="x"
            )


# --- Overrides and the snapshot ------------------------------------------------------------


def test_the_override_names_each_unmet_criterion(review, project, members):
    clear_the_gate(review, members)
    high_risks(project, members, 3)
    threshold(project, members, target=2)
    attested(project, members)
    state = gate(review)
    assert not state["clear"]
    decision = open_with_votes(review, members, members[A])
    (gate_part,) = overrides(state, vote_tally(decision))
    assert gate_part == (
        "a ready gate: 3 open high or critical risks (at most 2), "
        "Severity-1 UAT defects open not attested"
    )
    with pytest.raises(PermissionDenied):
        decision_record(
            decision=decision, acting_user=members[F], outcome=Outcome.GO, rationale="Fine."
        )
    recorded = decision_record(
        decision=decision, acting_user=members[PM], outcome=Outcome.GO, rationale="Fine.",
        override_reason="Risks are mitigated in hypercare.", confirm_override=[gate_part],
    )  # fmt: skip
    assert recorded.overridden == [gate_part]
    assert "3 open high or critical risks (at most 2)" in recorded.override_line


def test_the_snapshot_freezes_the_criteria(client_for, review, project, members):
    clear_the_gate(review, members)
    criterion = threshold(project, members, target=5)
    gate_criterion_builtin_switch(
        project=project, acting_user=members[PM], key="rehearsal_fits", enabled=False
    )
    decision = open_with_votes(review, members, members[A])
    recorded = decision_record(
        decision=decision, acting_user=members[F], outcome=Outcome.GO, rationale="All met."
    )
    frozen = recorded.snapshot["gate"]["criteria"]
    assert [c["label"] for c in frozen] == [
        "No open go-live blocker",
        "Every mandatory item done and signed off",
        "No item rejected by a stakeholder",
        "No overdue mitigation action",
        "Cutover plan signed off",
        "No evidence past its valid-until date",
        "Support plan signed off with no coverage gap",
        "Knowledge transfer complete",
        "Open high or critical risks at most 5",
    ]
    assert all(c["met"] for c in frozen)
    assert frozen[-1]["sentence"] == "0 open high or critical risks (at most 5)."
    assert recorded.snapshot["gate"]["criteria_switched_off"] == [
        "Last cutover rehearsal fits the window"
    ]
    # Later changes to the criteria leave the decision as it was.
    gate_criterion_update(criterion=criterion, acting_user=members[PM], version=1, target=0)
    high_risks(project, members, 1)
    page = client_for(members[V]).get(recorded.get_absolute_url()).content.decode()
    assert "Open high or critical risks at most 5" in page
    assert "0 open high or critical risks (at most 5)." in page
    assert "Switched off then: Last cutover rehearsal fits the window." in page


# --- Editing, history, conflicts -----------------------------------------------------------


def test_edit_and_remove_keep_a_history(project, members):
    criterion = threshold(project, members)
    gate_criterion_update(
        criterion=criterion, acting_user=members[PM], version=1, comparator="lt", target=1
    )
    criterion.refresh_from_db()
    assert (criterion.comparator, criterion.target, criterion.version) == ("lt", 1, 2)
    with pytest.raises(ConflictError):
        gate_criterion_update(criterion=criterion, acting_user=members[PM], version=1, target=4)
    gate_criterion_remove(criterion=criterion, acting_user=members[PM])
    assert not GateCriterion.objects.filter(pk=criterion.pk).exists()
    history = list(GateCriterionChange.objects.order_by("pk"))
    assert [change.note for change in history] == ["added", "edited", "removed"]
    assert history[1].changes["target"] == ["2", "1"]
    assert history[2].criterion_label == "Open high or critical risks fewer than 1"


# --- Permissions -------------------------------------------------------------------------


def criteria_url(project):
    return f"/projects/{project.pk}/criteria/"


@pytest.mark.parametrize("role", [PM, F, A, C, V])
def test_every_member_reads_the_criteria_page(client_for, project, members, role):
    threshold(project, members)
    response = client_for(members[role]).get(criteria_url(project))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open high or critical risks at most 2" in page
    assert ("Add a threshold" in page) is (role == PM)
    assert ("Switch off" in page) is (role == PM)
    assert ("Only the project manager changes them." in page) is (role != PM)


def test_an_outsider_gets_a_404(client_for, project, members, outsider):
    criterion = attested(project, members)
    client = client_for(outsider)
    assert client.get(criteria_url(project)).status_code == 404
    assert client.post(criteria_url(project) + "add/", {"kind": "threshold"}).status_code == 404
    assert client.post(f"{criteria_url(project)}{criterion.pk}/attest/", {}).status_code == 404


def test_another_projects_criterion_is_a_404(client_for, project, members):
    other = ProjectFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(project=other, user=members[PM], role=Role.PROJECT_MANAGER)
    foreign = threshold(other, {PM: members[PM]})
    client = client_for(members[PM])
    assert client.get(f"{criteria_url(project)}{foreign.pk}/edit/").status_code == 404
    assert client.post(f"{criteria_url(project)}{foreign.pk}/remove/").status_code == 404
    assert GateCriterion.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("role", [PM, F, A, C, V])
def test_only_the_project_manager_sets_the_criteria(client_for, project, members, role):
    client = client_for(members[role])
    added = client.post(
        criteria_url(project) + "add/",
        {
            "kind": "threshold",
            "threshold-metric": "open_risks",
            "threshold-comparator": "lte",
            "threshold-target": "4",
        },
    )
    switched = client.post(criteria_url(project) + "builtin/", {"key": "blockers"})
    if role == PM:
        assert (added.status_code, switched.status_code) == (302, 302)
        assert GateCriterion.objects.filter(metric="open_risks", target=4).exists()
        assert not GateCriterion.objects.get(builtin_key="blockers").enabled
    else:
        assert (added.status_code, switched.status_code) == (403, 403)
        assert not GateCriterion.objects.exists()
        with pytest.raises(PermissionDenied):
            threshold(project, {PM: members[role]})


@pytest.mark.parametrize(
    ("role", "may"), [(PM, True), (F, True), (A, True), (C, False), (V, False)]
)
def test_who_attests_a_value(client_for, project, members, role, may):
    criterion = attested(project, members)
    response = client_for(members[role]).post(
        f"{criteria_url(project)}{criterion.pk}/attest/",
        {f"attest-{criterion.pk}-value": "0", f"attest-{criterion.pk}-evidence": "Jira filter"},
    )
    assert response.status_code == (302 if may else 403)
    assert Attestation.objects.filter(criterion=criterion).exists() is may


# --- Pages -------------------------------------------------------------------------------


def test_bad_input_is_a_message_in_the_page(client_for, project, members):
    client = client_for(members[PM])
    response = client.post(
        criteria_url(project) + "add/",
        {
            "kind": "attested",
            "attested-label": "",
            "attested-comparator": "eq",
            "attested-target": "-1",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page
    assert "Ensure this value is greater than or equal to 0." in page
    criterion = attested(project, members)
    response = client.post(
        f"{criteria_url(project)}{criterion.pk}/attest/", {f"attest-{criterion.pk}-value": "1"}
    )
    assert response.status_code == 422
    assert "Say where the value comes from" in response.content.decode()


def test_edit_page_saves_and_says_when_someone_else_saved_first(client_for, project, members):
    criterion = attested(project, members)
    client = client_for(members[PM])
    url = f"{criteria_url(project)}{criterion.pk}/edit/"
    assert "Severity-1 UAT defects open" in client.get(url).content.decode()
    form = {"label": "Sev-1 defects open", "comparator": "lte", "target": "1",
            "max_age_days": "7", "version": "1"}  # fmt: skip
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "target": "3"})  # on top of version 1 again
    assert response.status_code == 422
    assert "changed this criterion while you were editing it" in response.content.decode()
    criterion.refresh_from_db()
    assert (criterion.label, criterion.target, criterion.max_age_days) == (
        "Sev-1 defects open",
        1,
        7,
    )


def test_the_gate_page_marks_each_criterion(client_for, review, project, members):
    high_risks(project, members, 3)
    threshold(project, members)
    stale = attested(project, members)
    attest(stale, members[A], 0, days_ago=30)
    gate_criterion_builtin_switch(
        project=project, acting_user=members[PM], key="rejected_items", enabled=False
    )
    page = (
        client_for(members[V])
        .get(f"/projects/{project.pk}/reviews/{review.pk}/decision/")
        .content.decode()
    )
    assert "3 open high or critical risks (at most 2)." in page
    assert "Missing" in page
    assert "is older than 14 days" in page
    assert "No open go-live blocker" in page
    assert "Switched off for this project: No item rejected by a stakeholder." in page
    assert f'href="{criteria_url(project)}"' in page
    # The lists stay below.
    assert "Mandatory items not done and signed off (2)" in page


def test_the_project_page_links_to_the_criteria(client_for, project, members):
    page = client_for(members[C]).get(f"/projects/{project.pk}/").content.decode()
    assert f'href="{criteria_url(project)}"' in page


def test_the_criteria_page_says_when_nothing_changed_yet(client_for, project, members):
    page = client_for(members[PM]).get(criteria_url(project)).content.decode()
    assert "None yet." in page
    assert "No change yet: the gate checks the built-in criteria." in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_criteria_page_query_count_stays_flat(
    client_for, project, members, size, django_assert_max_num_queries
):
    for n in range(size):
        threshold(project, members, target=n)
        attest(attested(project, members, label=f"Attested {n}"), members[A], n)
    client = client_for(members[PM])
    with django_assert_max_num_queries(6):
        assert client.get(criteria_url(project)).status_code == 200


# One metric of each kind of count, so that six criteria use every source.
SPREAD_METRICS = [
    "open_high_risks", "open_actions", "items_not_started", "overdue_actions", "open_risks",
    "items_in_progress",
]  # fmt: skip


@pytest.mark.parametrize("size", [1, 6])
def test_the_gate_page_query_count_stays_flat_with_criteria(
    client_for, review, project, members, size, django_assert_max_num_queries
):
    for n in range(size):
        threshold(project, members, metric=SPREAD_METRICS[n % len(SPREAD_METRICS)], target=n)
        attest(attested(project, members, label=f"Attested {n}"), members[A], n)
    client = client_for(members[V])
    # The page, the gate, its criteria and their attestations, and at most one query per
    # kind of count the thresholds use (risks, actions, items): the same at any size.
    with django_assert_max_num_queries(26):
        assert (
            client.get(f"/projects/{project.pk}/reviews/{review.pk}/decision/").status_code == 200
        )


def test_the_demo_seeds_criteria_once_with_one_stale_attested_value(db):
    from django.core.management import call_command

    from decisions.criteria import project_criteria
    from projects.models import Project

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    project = Project.objects.filter(gate_criteria__isnull=False).distinct().get()
    review = project.reviews.order_by("-created_at").first()
    own = [row for row in project_criteria(project) if row.kind != "builtin"]
    assert len(own) == 4
    states = {r.label: r.state for r in gate(review)["criteria"] if r.kind == "attested"}
    assert states == {
        "Severity-1 UAT defects open exactly 0": "met",
        "Unreconciled open-item balances (EUR thousands) at most 5": "missing",
    }


def test_the_project_manager_reorders_the_teams_criteria(client_for, review, project, members):
    first = threshold(project, members, metric="open_risks")
    second = attested(project, members)
    third = threshold(project, members, metric="open_actions")
    client = client_for(members[PM])
    url = f"{criteria_url(project)}{third.pk}/move/"
    assert client.post(url, {"direction": "up"}).status_code == 302
    keys = [r.key for r in gate(review)["criteria"] if r.kind != "builtin"]
    assert keys == [f"threshold-{first.pk}", f"threshold-{third.pk}", f"attested-{second.pk}"]
    client.post(f"{criteria_url(project)}{first.pk}/move/", {"direction": "up"})  # already first
    assert [r.key for r in gate(review)["criteria"] if r.kind != "builtin"] == keys
    assert client_for(members[F]).post(url, {"direction": "up"}).status_code == 403
    assert GateCriterionChange.objects.filter(note="moved up").count() == 1


def test_switching_a_built_in_in_place_swaps_only_its_card(client_for, project, members):
    response = client_for(members[PM]).post(
        criteria_url(project) + "builtin/", {"key": "blockers"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card shadow-sm mb-4" id="builtin-card"')
    assert "Criterion switched off." in page
    assert "Switch on: No open go-live blocker" in page
    assert "The team's criteria" not in page
    assert not GateCriterion.objects.get(builtin_key="blockers").enabled


def test_the_vote_opened_e_mail_names_the_criteria_not_met(
    review, project, members, django_capture_on_commit_callbacks
):
    from django.core import mail

    from decisions.services import decision_open

    attested(project, members)
    with django_capture_on_commit_callbacks(execute=True):
        decision_open(review=review, acting_user=members[F])
    (opened,) = mail.outbox
    assert (
        "Go / no-go criteria not met: Every mandatory item done and signed off (not met); "
        "Severity-1 UAT defects open exactly 0 (missing)"
    ) in opened.body
    html = opened.alternatives[0][0]
    assert "<strong>Severity-1 UAT defects open exactly 0</strong> (missing)" in html
