"""support_criteria: what the go / no-go gate reads of the support plan."""

import datetime

import pytest

from projects.models import Role
from support import services
from support.summary import SupportCriteria, support_criteria
from tests.factories import make_cutover_plan
from tests.support.conftest import make_support_plan

pytestmark = pytest.mark.django_db


def test_no_plan_is_not_in_use(project):
    criteria = support_criteria(project)
    assert criteria == SupportCriteria(in_use=False)
    assert criteria.unmet() == []
    assert criteria.met


def test_draft_plan_with_a_session_not_done(project, members):
    make_support_plan(project, members[Role.PROJECT_MANAGER], lines=2, sessions=3)
    criteria = support_criteria(project)
    assert criteria.in_use
    assert not criteria.signed_off
    assert criteria.gaps == []  # office hours cover the hypercare hours; no cutover window
    assert (criteria.knowledge_transfer_done, criteria.knowledge_transfer_total) == (2, 3)
    assert not criteria.knowledge_transfer_complete
    assert not criteria.plan_ready
    assert criteria.unmet() == [
        "the support plan not signed off",
        "1 knowledge-transfer session not done",
    ]


def test_a_cutover_window_makes_office_hours_a_gap(project, members):
    pm = members[Role.PROJECT_MANAGER]
    plan = make_support_plan(project, pm, lines=1)
    make_cutover_plan(project, steps=1)
    for user in (members[Role.APPROVER], pm):
        services.support_plan_sign_off(plan=plan, acting_user=user, decision="approve")
    criteria = support_criteria(project)
    assert criteria.signed_off
    assert len(criteria.gaps) == 1
    assert criteria.gaps[0].startswith("L1 has no cover Friday 18:00")
    assert criteria.gaps[0].endswith("during cutover")
    assert not criteria.plan_ready
    assert criteria.unmet() == ["1 gap in the support cover"]
    assert criteria.as_dict()["met"] is False


def test_signed_plan_without_gaps_and_all_sessions_done_is_met(project, members):
    pm = members[Role.PROJECT_MANAGER]
    plan = make_support_plan(project, pm, lines=1)
    services.kt_session_save(
        plan=plan, acting_user=pm, topic="Runbook", date=datetime.date(2026, 3, 2), done=True
    )
    for user in (members[Role.APPROVER], pm):
        services.support_plan_sign_off(plan=plan, acting_user=user, decision="approve")
    criteria = support_criteria(project)
    assert criteria.plan_ready
    assert criteria.knowledge_transfer_complete
    assert criteria.unmet() == []
    assert criteria.met


def test_the_summary_pdf_has_the_support_plan(project, members):
    """The summary's support chapter: sign-off, the gaps, the lines with their hours and
    contacts, the escalation path and the sessions; the gate's criteria in it agree."""
    from summaries.pdf import summary_html
    from tests.factories import make_review

    pm = members[Role.PROJECT_MANAGER]
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    html = summary_html(review)
    assert 'id="support"' not in html  # no plan, no chapter
    make_support_plan(project, pm, lines=1, sessions=2)
    make_cutover_plan(project, steps=1)
    html = summary_html(review)
    chapter = html.split('id="support"')[1].split("</section>")[0]
    assert "8. Support plan" in chapter  # after the cutover plan's chapter 7
    assert "Not signed off" in chapter
    assert "L1 has no cover Friday 18:00" in chapter
    assert "Mon-Fri 08:00-18:00" in chapter
    assert "Person 0 · p0@example.com" in chapter
    assert "responds within 30 min" in chapter
    assert "Knowledge transfer (1 of 2 done)" in chapter
    assert "Topic 1" in chapter
    criteria = html.split("Go / no-go criteria")[1]
    assert "1 knowledge-transfer session not done (1 of 2 done)." in criteria
