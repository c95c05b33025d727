import pytest
from django.utils import timezone

from projects.models import Membership, Role
from projects.services import membership_remove
from risks import selectors
from risks.models import Risk
from tests.factories import MembershipFactory, MitigationActionFactory, ProjectFactory, RiskFactory

from .conftest import days


def _flag(risk):
    return selectors.with_plan_flags(Risk.objects.filter(pk=risk.pk)).get().no_mitigation_plan


# (case, risk fields, actions as (status, owner key, due in days or None)) -> flagged?
PLAN_CASES = [
    ("open risk, no action", {}, [], True),
    ("open issue, no action", {"type": "issue"}, [], True),
    ("open risk, planned action", {}, [("open", "member", 5)], False),
    ("action in progress counts as open", {}, [("in_progress", "member", 5)], False),
    ("overdue but planned is still a plan", {}, [("open", "member", -5)], False),
    ("open action without due date", {}, [("open", "member", None)], True),
    (
        "one planned, one without due date",
        {},
        [("open", "member", 5), ("open", "member", None)],
        True,
    ),
    ("only done actions", {}, [("done", "member", 5)], True),
    ("only cancelled actions", {}, [("cancelled", "member", 5)], True),
    ("owner left the project", {}, [("open", "former", 5)], True),
    ("mitigating risk, no action", {"status": "mitigating"}, [], True),
    ("mitigated risk needs no plan", {"status": "mitigated"}, [], False),
    ("accepted risk needs no plan", {"status": "accepted"}, [], False),
    ("closed risk needs no plan", {"status": "closed"}, [], False),
    (
        "assertion needs no plan",
        {"type": "assertion", "likelihood": None, "impact": None},
        [],
        False,
    ),
]


@pytest.mark.parametrize(
    ("fields", "actions", "flagged"),
    [case[1:] for case in PLAN_CASES],
    ids=[case[0] for case in PLAN_CASES],
)
def test_no_mitigation_plan_flag(project, members, fields, actions, flagged):
    former = members[Role.VIEWER]
    owners = {"member": members[Role.CONTRIBUTOR], "former": former}
    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR], **fields)
    for status, owner, due in actions:
        MitigationActionFactory(
            risk=risk, owner=owners[owner], status=status,
            due_date=days(due) if due is not None else None,
            completed_at=timezone.now() if status == "done" else None,
        )  # fmt: skip
    Membership.objects.filter(project=project, user=former).delete()
    assert _flag(risk) is flagged


def test_heatmap_counts_match_the_register_rows(project, members):
    from .conftest import bulk_register

    bulk_register(project, [members[Role.CONTRIBUTOR]], members[Role.FACILITATOR], 60)
    for filters in ({}, {"status": "active"}, {"type": "issue"}, {"severity": "high"}):
        heat = selectors.heatmap(selectors.register_queryset(project, filters, cell=False))
        rated = selectors.register_queryset(project, filters).exclude(likelihood=None).count()
        assert heat.total == rated
        for cell in heat.cells:
            cell_filters = filters | {"likelihood": cell.likelihood, "impact": cell.impact}
            rows = selectors.register_rows(project, cell_filters)
            assert cell.count == len(rows), (filters, cell)
            assert all(r.likelihood == cell.likelihood and r.impact == cell.impact for r in rows)


def test_heatmap_ignores_its_own_cell_filter(project, members):
    RiskFactory(project=project, raised_by=members[Role.FACILITATOR], likelihood=1, impact=1)
    RiskFactory(project=project, raised_by=members[Role.FACILITATOR], likelihood=5, impact=5)
    filters = {"likelihood": 5, "impact": 5}
    assert selectors.register_queryset(project, filters).count() == 1
    heat = selectors.heatmap(
        selectors.register_queryset(project, filters, cell=False), selected=(5, 5)
    )
    counts = {(c.likelihood, c.impact): c.count for c in heat.cells if c.count}
    assert counts == {(1, 1): 1, (5, 5): 1}
    assert [c.selected for c in heat.cells].count(True) == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"type": "issue"}, {"Issue A"}),
        ({"status": "active"}, {"Risk A", "Issue A", "Good C"}),
        ({"status": "closed"}, {"Closed B"}),
        ({"severity": "critical"}, {"Risk A"}),
        ({"blocker": "yes"}, {"Risk A"}),
        ({"blocker": "no"}, {"Issue A", "Closed B", "Good C"}),
        ({"plan": "missing"}, {"Issue A"}),
        ({"area": "data"}, {"Risk A"}),
        ({"q": "closed"}, {"Closed B"}),
    ],
)
def test_register_filters(project, members, review_item, filters, expected):
    raiser = members[Role.FACILITATOR]
    section = review_item.section
    section.key = "data"
    section.save()
    risk_a = RiskFactory(
        project=project, title="Risk A", likelihood=5, impact=4, is_blocker=True,
        raised_by=raiser, area=section, review=review_item.review,
    )  # fmt: skip
    MitigationActionFactory(risk=risk_a, owner=members[Role.CONTRIBUTOR])
    RiskFactory(project=project, title="Issue A", type="issue", raised_by=raiser)
    RiskFactory(project=project, title="Closed B", status="closed", raised_by=raiser)
    RiskFactory(project=project, title="Good C", type="assertion", likelihood=None, impact=None,
                raised_by=raiser)  # fmt: skip
    RiskFactory(title="Another project's risk", likelihood=5, impact=4, is_blocker=True)
    titles = {risk.title for risk in selectors.register_rows(project, filters)}
    assert titles == expected


def test_register_owner_and_review_filters(project, members, review_item):
    raiser = members[Role.FACILITATOR]
    owned = RiskFactory(project=project, title="Owned", raised_by=raiser, review=review_item.review)
    MitigationActionFactory(risk=owned, owner=members[Role.APPROVER])
    RiskFactory(project=project, title="Not owned", raised_by=raiser)
    by_owner = selectors.register_rows(project, {"owner": members[Role.APPROVER].pk})
    by_review = selectors.register_rows(project, {"review": review_item.review_id})
    assert [r.title for r in by_owner] == ["Owned"]
    assert [r.title for r in by_review] == ["Owned"]


def test_register_sort_by_score_puts_unrated_last(project, members):
    raiser = members[Role.FACILITATOR]
    RiskFactory(project=project, title="Low", likelihood=1, impact=2, raised_by=raiser)
    RiskFactory(project=project, title="Good", type="assertion", likelihood=None, impact=None,
                raised_by=raiser)  # fmt: skip
    RiskFactory(project=project, title="High", likelihood=4, impact=4, raised_by=raiser)
    assert [r.title for r in selectors.register_rows(project, {}, "-score")] == [
        "High",
        "Low",
        "Good",
    ]
    assert [r.title for r in selectors.register_rows(project, {}, "score")] == [
        "Low",
        "High",
        "Good",
    ]
    assert next(r.title for r in selectors.register_rows(project, {}, "bogus")) == "High"


def test_my_open_actions_overdue_first_and_only_where_still_member(project, members):
    me = members[Role.CONTRIBUTOR]
    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR])
    later = MitigationActionFactory(risk=risk, owner=me, due_date=days(10))
    undated = MitigationActionFactory(risk=risk, owner=me, due_date=None)
    overdue = MitigationActionFactory(risk=risk, owner=me, due_date=days(-2))
    soon = MitigationActionFactory(risk=risk, owner=me, due_date=days(1))
    MitigationActionFactory(risk=risk, owner=me, status="done", completed_at=timezone.now())
    MitigationActionFactory(risk=risk, owner=members[Role.APPROVER])
    left = ProjectFactory()
    MitigationActionFactory(risk=RiskFactory(project=left), owner=me, due_date=days(-9))
    assert selectors.my_open_actions(me) == [overdue, soon, later, undated]


def test_actions_by_owner_lists_a_removed_members_open_actions(project, members, risk):
    manager = members[Role.PROJECT_MANAGER]
    leaver = members[Role.APPROVER]
    overdue = MitigationActionFactory(risk=risk, owner=leaver, due_date=days(-1))
    MitigationActionFactory(risk=risk, owner=leaver, status="done", completed_at=timezone.now())
    membership_remove(
        membership=Membership.objects.get(project=project, user=leaver), acting_user=manager
    )
    current, former = selectors.actions_by_owner(project)
    assert [g.owner.pk for g in current] == [members[Role.CONTRIBUTOR].pk]
    assert len(former) == 1
    group = former[0]
    assert (group.owner.pk, group.is_member) == (leaver.pk, False)
    assert (group.open_count, group.overdue_count, group.done_count) == (1, 1, 1)
    assert group.actions == [overdue]


def test_home_panels_count_open_blockers_per_project_and_my_overdue_actions(project, members):
    me = members[Role.CONTRIBUTOR]
    raiser = members[Role.FACILITATOR]
    other = ProjectFactory()
    MembershipFactory(project=other, user=me)
    RiskFactory(project=project, is_blocker=True, raised_by=raiser)
    RiskFactory(project=project, is_blocker=True, status="mitigating", raised_by=raiser)
    RiskFactory(project=project, is_blocker=True, status="accepted", raised_by=raiser,
                workaround="Manual")  # fmt: skip
    RiskFactory(project=project, is_blocker=False, raised_by=raiser)
    late = MitigationActionFactory(risk=RiskFactory(project=other), owner=me, due_date=days(-3))
    MitigationActionFactory(risk=RiskFactory(project=other), owner=me, due_date=days(3))
    projects = [project, other]
    panels = selectors.home_risk_panels(me, projects)
    assert [p.open_blocker_count for p in projects] == [2, 0]
    assert panels["my_overdue_actions"].rows == [late]
    assert panels["my_overdue_actions"].count == 1
