"""The built-in criteria that read the support plan and the evidence's validity: each met
and not met, named in a go's overrides and frozen in the decision's snapshot."""

import datetime

from django.utils import timezone

from decisions.models import Outcome
from decisions.selectors import gate, overrides, vote_tally
from decisions.services import decision_record
from projects.models import Role
from reviews.models import ItemEvidence
from reviews.services.items import item_evidence_add
from support import services as support_services
from tests.decisions.test_decisions import open_with_votes
from tests.factories import make_cutover_plan, make_review
from tests.support.conftest import make_support_plan


def result(review, key):
    return next(r for r in gate(review)["criteria"] if r.key == key)


def sign_support_plan(plan, members):
    for user in (members[Role.APPROVER], members[Role.PROJECT_MANAGER]):
        support_services.support_plan_sign_off(plan=plan, acting_user=user, decision="approve")


def test_support_criteria_are_met_without_a_support_plan(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    for key in ("support_plan", "knowledge_transfer"):
        found = result(review, key)
        assert (found.state, found.sentence) == ("met", "No support plan, so not checked.")


def test_an_unsigned_plan_and_a_session_not_done_are_not_met(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    make_support_plan(project, members[Role.PROJECT_MANAGER], lines=1, sessions=2)
    plan_result = result(review, "support_plan")
    assert (plan_result.state, plan_result.sentence, plan_result.phrases) == (
        "not_met",
        "The support plan is not signed off.",
        ("the support plan not signed off",),
    )
    transfer = result(review, "knowledge_transfer")
    assert (transfer.state, transfer.sentence) == (
        "not_met",
        "1 knowledge-transfer session not done (1 of 2 done).",
    )


def test_a_signed_plan_with_a_gap_is_not_met_and_names_the_gap(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    plan = make_support_plan(project, members[Role.PROJECT_MANAGER], lines=1)
    make_cutover_plan(project, steps=1)  # its window needs cover around the clock
    sign_support_plan(plan, members)
    found = result(review, "support_plan")
    assert found.state == "not_met"
    assert found.sentence.startswith("L1 has no cover Friday 18:00")
    assert found.phrases == ("1 gap in the support cover",)


def test_a_signed_plan_without_gaps_and_every_session_done_is_met(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    pm = members[Role.PROJECT_MANAGER]
    plan = make_support_plan(project, pm, lines=1)
    support_services.kt_session_save(
        plan=plan, acting_user=pm, topic="Runbook", date=datetime.date(2026, 3, 2), done=True
    )
    sign_support_plan(plan, members)
    assert result(review, "support_plan").sentence == (
        "The support plan is signed off and covers every hour it must."
    )
    assert result(review, "knowledge_transfer").sentence == (
        "Every knowledge-transfer session is done (1 of 1)."
    )


def test_expired_evidence_holds_the_gate_until_it_is_replaced(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    assert result(review, "expired_evidence").met
    item = review.items.first()
    stale = item_evidence_add(
        item=item, acting_user=members[Role.FACILITATOR], title="Load test report",
        url="https://example.com/load", valid_until=timezone.localdate() - datetime.timedelta(1),
    )  # fmt: skip
    found = result(review, "expired_evidence")
    assert (found.state, found.sentence, found.phrases) == (
        "not_met",
        "1 item with evidence past its valid-until date.",
        ("1 item with expired evidence",),
    )
    ItemEvidence.objects.filter(pk=stale.pk).update(valid_until=timezone.localdate())
    assert result(review, "expired_evidence").met  # valid through today


def test_a_go_over_the_support_criteria_is_an_override_that_names_them(project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    make_support_plan(project, members[Role.PROJECT_MANAGER], lines=1, sessions=2)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    overridden = overrides(gate(review), vote_tally(decision))
    assert "the support plan not signed off" in overridden[0]
    assert "1 knowledge-transfer session not done" in overridden[0]
    recorded = decision_record(
        decision=decision, acting_user=members[Role.PROJECT_MANAGER], outcome=Outcome.GO,
        rationale="The business accepts the risk.", override_reason="Support starts Monday.",
        confirm_override=overridden,
    )  # fmt: skip
    assert "the support plan not signed off" in recorded.override_line
    frozen = {c["key"]: c for c in recorded.snapshot["gate"]["criteria"]}
    assert frozen["support_plan"]["met"] is False
    assert frozen["knowledge_transfer"]["sentence"] == (
        "1 knowledge-transfer session not done (1 of 2 done)."
    )
    assert recorded.snapshot["gate"]["support"]["knowledge_transfer_total"] == 2


def test_the_gate_page_shows_the_support_plan(client_for, project, members):
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    client = client_for(members[Role.VIEWER])
    url = f"{review.get_absolute_url()}decision/"
    assert "This project has no support plan, so the gate does not check one." in (
        client.get(url).text
    )
    plan = make_support_plan(project, members[Role.PROJECT_MANAGER], lines=1, sessions=2)
    make_cutover_plan(project, steps=1)
    sign_support_plan(plan, members)
    page = client.get(url).text
    section = page.split('id="gate-support"')[1].split("</ul>")[0]
    assert "The support plan is signed off." in section
    assert "L1 has no cover Friday 18:00" in section
    assert "Knowledge transfer: 1 of 2 sessions done." in section
