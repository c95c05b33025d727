"""The summary PDF lists the go / no-go criteria: as the gate stands while no decision is
recorded, as frozen once one is. Rendered with WeasyPrint and read back with pypdf."""

import pytest

from decisions.models import Outcome
from decisions.services import decision_record
from decisions.services_criteria import gate_criterion_builtin_switch, gate_criterion_create
from projects.models import Role
from tests.decisions.test_decisions import clear_the_gate, open_with_votes
from tests.factories import RiskFactory, make_review
from tests.summaries.test_summary_pdf import pdf_pages

pytestmark = pytest.mark.django_db


def test_the_pdf_lists_the_criteria_as_the_gate_stands_then_as_frozen(project, members):
    pm = members[Role.PROJECT_MANAGER]
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    gate_criterion_create(
        project=project, acting_user=pm, kind="threshold", metric="open_high_risks",
        comparator="lte", target=0,
    )  # fmt: skip
    gate_criterion_create(
        project=project, acting_user=pm, kind="attested", label="Severity-1 UAT defects open",
        comparator="eq", target=0, max_age_days=14,
    )  # fmt: skip
    gate_criterion_builtin_switch(
        project=project, acting_user=pm, key="rejected_items", enabled=False
    )
    RiskFactory(project=project, raised_by=members[Role.FACILITATOR], likelihood=5, impact=4)
    pages, _ = pdf_pages(review)
    text = " ".join(pages)
    assert "Go / no-go criteria (as the gate stands today)" in text
    assert "Open high or critical risks at most 0" in text
    assert "1 open high or critical risk (at most 0)." in text
    assert "Severity-1 UAT defects open: no value attested yet" in text
    assert "Missing" in text
    assert "Switched off: No item rejected by a stakeholder." in text

    clear_the_gate(review, members)
    decision = open_with_votes(review, members, members[Role.APPROVER])
    decision_record(decision=decision, acting_user=members[Role.FACILITATOR], outcome=Outcome.NO_GO,
                    rationale="Risks open.", what_must_change="Close them.")  # fmt: skip
    RiskFactory(project=project, raised_by=members[Role.FACILITATOR], likelihood=5, impact=5)
    pages, _ = pdf_pages(review)
    text = " ".join(pages)
    assert "Go / no-go criteria (as at the decision)" in text
    assert "1 open high or critical risk (at most 0)." in text  # frozen: the second risk came later
