"""Actions by owner reads each owner's most urgent open actions as short ranges of the
(project, owner, due date, id) index, and counts from the (project, owner, status, due
date) one: the same rows as sorting them all, in the same number of queries at any size.
My actions' rows come from the cache, each page with the viewer's own CSRF token."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Role
from projects.services import membership_remove
from risks import selectors
from risks.models import OPEN_ACTION_STATUSES, MitigationAction
from risks.row_cache import CSRF_PLACEHOLDER
from risks.selectors.actions import ACTIONS_PER_OWNER
from risks.services import action_create, action_update
from tests.factories import MitigationActionFactory, ProjectFactory, RiskFactory

from .conftest import bulk_register, days


def _urgency(action):
    return (action.due_date is None, action.due_date or datetime.date.min, action.pk)


def _add(risk, owner, dues, status="open"):
    for due in dues:
        MitigationActionFactory(
            risk=risk, owner=owner, status=status, due_date=None if due is None else days(due),
            completed_at=timezone.now() if status == "done" else None,
        )  # fmt: skip


def test_each_owner_s_most_urgent_actions_are_those_a_full_sort_gives(project, members):
    limit = ACTIONS_PER_OWNER
    risk = RiskFactory(project=project, raised_by=members[Role.FACILITATOR])
    many_dated = members[Role.CONTRIBUTOR]  # more dated than the limit, and undated
    _add(risk, many_dated, [*range(-5, limit + 3), None, None])
    few_dated = members[Role.APPROVER]  # a few dated, then undated up to past the limit
    _add(risk, few_dated, [3, -2, 7, None, None, None, None, None, None, None, None, None])
    only_undated = members[Role.FACILITATOR]
    _add(risk, only_undated, [None] * (limit + 2))
    few = members[Role.PROJECT_MANAGER]  # no more than the limit: all of them
    _add(risk, few, [4, None, -1])
    for owner in members.values():  # none of these is listed
        _add(risk, owner, [-30, None], status="done")
    _add(risk, many_dated, [-40], status="cancelled")
    # Another project's actions of the same people are not this page's.
    _add(RiskFactory(project=ProjectFactory()), many_dated, [-50, None])
    leaver = members[Role.VIEWER]  # left the project: every open action, to reassign
    _add(risk, leaver, [*range(limit + 4), None])
    membership_remove(
        membership=Membership.objects.get(project=project, user=leaver),
        acting_user=members[Role.PROJECT_MANAGER],
    )

    current, former = selectors.actions_by_owner(project)

    today = timezone.localdate()
    for group in [*current, *former]:
        mine = MitigationAction.objects.filter(risk__project=project, owner=group.owner)
        open_ = sorted(mine.filter(status__in=OPEN_ACTION_STATUSES), key=_urgency)
        shown = open_ if not group.is_member else open_[:limit]
        assert [a.pk for a in group.actions] == [a.pk for a in shown], group.owner
        assert group.open_count == len(open_)
        assert group.overdue_count == sum(1 for a in open_ if a.due_date and a.due_date < today)
        assert group.done_count == mine.filter(status="done").count()
        assert all(a.risk.title == risk.title and a.owner == group.owner for a in group.actions)
    assert [g.owner for g in former] == [leaver]
    assert len(former[0].actions) == limit + 5


@pytest.mark.parametrize("findings", [4, 40])
def test_actions_by_owner_queries_are_the_same_at_two_sizes(
    client_for, project, members, findings, django_assert_num_queries
):
    owners = [members[Role.CONTRIBUTOR], members[Role.APPROVER], members[Role.FACILITATOR]]
    bulk_register(project, owners, members[Role.FACILITATOR], findings)
    client = client_for(members[Role.PROJECT_MANAGER])
    url = reverse("risks:actions_by_owner", args=[project.pk])
    client.get(url)
    # session, user, membership, owners with their counts, their first actions, members
    with django_assert_num_queries(6):
        page = client.get(url).text
    assert page.count('name="actions"') == sum(
        min(ACTIONS_PER_OWNER, MitigationAction.objects.filter(
            owner=owner, status__in=OPEN_ACTION_STATUSES).count())
        for owner in owners
    )  # fmt: skip


def test_an_action_carries_its_finding_s_project(project, members, risk):
    made = action_create(
        risk=risk, acting_user=members[Role.FACILITATOR], owner=members[Role.CONTRIBUTOR],
        description="Rehearse the load", due_date=days(3), notes="",
    )  # fmt: skip
    assert made.project_id == project.pk
    assert MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR]).project == project


def test_actions_by_owner_indexes_exist(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, MitigationAction._meta.db_table
        )
    assert constraints["action_project_owner_status"]["columns"] == [
        "project_id", "owner_id", "status", "due_date",
    ]  # fmt: skip
    assert constraints["action_project_owner_due"]["columns"] == [
        "project_id", "owner_id", "due_date", "id",
    ]  # fmt: skip


def _csrf(page):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)


def test_my_actions_rows_come_from_the_cache_with_the_viewer_s_csrf_token(
    client_for, project, members, risk
):
    me = members[Role.CONTRIBUTOR]
    action = MitigationActionFactory(risk=risk, owner=me, description="Rehearse the load")
    url = reverse("risks:my_actions")
    client = Client(enforce_csrf_checks=True)
    client.force_login(me)
    first = client.get(url).text
    assert "Rehearse the load" in first
    assert CSRF_PLACEHOLDER not in first
    again = client_for(me).get(url).text  # another session: the rows come from the cache
    assert CSRF_PLACEHOLDER not in again
    assert _csrf(again)
    assert _csrf(again) != _csrf(first)
    # The token on the page is this session's: a plain (non-htmx) status change goes through.
    response = client.post(
        reverse("risks:action_status", args=[project.pk, action.pk]),
        {"status": "in_progress", "csrfmiddlewaretoken": _csrf(first)[0], "next": url},
    )
    assert response.status_code == 302

    action.refresh_from_db()
    action_update(action=action, acting_user=me, notes="Booked the test rig")
    page = client.get(url).text
    assert "Booked the test rig" in page  # a change makes a new key: shown at once
    assert "In progress" in page
