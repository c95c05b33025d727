"""The demo support plan: one deliberate weekend gap, one session not done, idempotent."""

import pytest
from django.core.management import call_command

from projects.demo import DEMO_PROJECT_NAME
from support.models import SupportLine, SupportPlan
from support.summary import support_criteria


def _seed(tmp_path):
    with open(tmp_path / "out.txt", "w") as quiet:
        call_command("seed_demo", stdout=quiet)


@pytest.fixture
def demo_plan(db, tmp_path):
    _seed(tmp_path)
    return SupportPlan.objects.get(project__name=DEMO_PROJECT_NAME)


def test_demo_plan_has_one_weekend_gap_and_a_session_not_done(demo_plan):
    criteria = support_criteria(demo_plan.project)
    assert [gap.replace("\u2013", "-") for gap in criteria.gaps] == [
        "L2 has no cover Saturday 02:00-08:00 during cutover"
    ]
    assert (criteria.knowledge_transfer_done, criteria.knowledge_transfer_total) == (2, 3)
    assert not criteria.signed_off  # the IT lead's sign-off is awaited
    assert [line.level for line in demo_plan.lines.all()] == ["l1", "l2", "l3", "vendor"]
    assert demo_plan.escalation.count() == 4
    assert demo_plan.exit_criteria.count() == 2
    assert demo_plan.hypercare_weeks == 4


def test_seeding_twice_changes_nothing(demo_plan, tmp_path):
    before = (SupportPlan.objects.count(), SupportLine.objects.count(), demo_plan.version)
    _seed(tmp_path)
    demo_plan.refresh_from_db()
    assert (SupportPlan.objects.count(), SupportLine.objects.count(), demo_plan.version) == before
