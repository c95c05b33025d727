"""The register and My actions show a page of rows whatever the size of the list: the
register's page is chosen by the sort before its rows are flagged, and My actions counts
up to a cap ("500+") and pages on past it."""

import re

from django.urls import reverse

from projects.models import Role
from risks.models import MitigationAction
from risks.selectors.actions import MY_ACTIONS_COUNT_CAP, MY_ACTIONS_PER_PAGE
from risks.views.register import REGISTER_PAGE_SIZE

from .conftest import bulk_register

REFERENCE = re.compile(r'<td class="text-nowrap small text-body-secondary">(R-\d+)</td>')


def _references(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return REFERENCE.findall(response.text)


def test_register_pages_every_finding_once_in_sort_order(client_for, project, members):
    owners = [members[Role.CONTRIBUTOR]]
    risks = bulk_register(project, owners, members[Role.FACILITATOR], REGISTER_PAGE_SIZE * 2 + 7)
    client = client_for(members[Role.VIEWER])
    url = reverse("risks:register", args=[project.pk])
    for sort in ("-score", "actions", "title"):
        pages = [_references(client, url, sort=sort, page=n) for n in (1, 2, 3)]
        assert [len(page) for page in pages] == [REGISTER_PAGE_SIZE, REGISTER_PAGE_SIZE, 7]
        seen = [ref for page in pages for ref in page]
        assert sorted(seen) == sorted(risk.reference for risk in risks)
    # Highest score first by default; the open action count sorts too (assertions have none).
    by_score = sorted(risks, key=lambda r: (-(r.score or -1), -r.pk))
    assert _references(client, url)[:5] == [risk.reference for risk in by_score[:5]]
    first = client.get(url, {"sort": "actions"}).text
    row = first.split("<tbody>")[1].split("</tr>")[0]
    assert "none" in row or "—" in row  # the fewest open actions first: none


def test_register_page_keeps_flags_and_next_action(client_for, project, members):
    bulk_register(
        project, [members[Role.APPROVER]], members[Role.FACILITATOR], REGISTER_PAGE_SIZE + 5
    )
    client = client_for(members[Role.PROJECT_MANAGER])
    url = reverse("risks:register", args=[project.pk])
    page = client.get(url, {"page": 2})
    assert page.status_code == 200
    assert f"{REGISTER_PAGE_SIZE + 5} findings" in page.text
    assert "Page 2 of 2" in page.text
    assert len(REFERENCE.findall(page.text)) == 5
    first = client.get(url).text  # the highest scores: rated, most with an overdue next step
    assert '<span class="badge text-bg-danger">overdue</span>' in first
    assert f'href="/projects/{project.pk}/risks/' in page.text


def test_my_actions_counts_up_to_the_cap_and_pages_past_it(client_for, project, members):
    me = members[Role.CONTRIBUTOR]
    # Two open actions per rated finding, three rated findings in four.
    bulk_register(project, [me], members[Role.FACILITATOR], MY_ACTIONS_COUNT_CAP // 2 + 120)
    total = MitigationAction.objects.filter(owner=me, status__in=["open", "in_progress"]).count()
    assert total > MY_ACTIONS_COUNT_CAP
    capped_pages = MY_ACTIONS_COUNT_CAP // MY_ACTIONS_PER_PAGE
    client = client_for(me)
    url = reverse("risks:my_actions")

    first = client.get(url).text
    assert f"Page 1 of {capped_pages}+ ({MY_ACTIONS_COUNT_CAP}+ actions)" in first
    assert first.count('id="action-desc-') == MY_ACTIONS_PER_PAGE
    assert first.count("Overdue step") == MY_ACTIONS_PER_PAGE  # overdue first
    assert 'href="?page=2"' in first

    last_capped = client.get(url, {"page": capped_pages}).text
    assert f'href="?page={capped_pages + 1}"' in last_capped  # there is more

    pages = -(-total // MY_ACTIONS_PER_PAGE)
    past = client.get(url, {"page": capped_pages + 1}).text  # past the cap: counted exactly
    assert f"Page {capped_pages + 1} of {pages} ({total} actions)" in past
    beyond = client.get(url, {"page": 999}).text  # a page past the end gives the last
    assert f"Page {pages} of {pages} ({total} actions)" in beyond
    assert beyond.count('id="action-desc-') == total - (pages - 1) * MY_ACTIONS_PER_PAGE


def test_my_actions_rows_link_to_their_project(client_for, project, members):
    me = members[Role.CONTRIBUTOR]
    bulk_register(project, [me], members[Role.FACILITATOR], 3)
    action = MitigationAction.objects.filter(owner=me, status="open").first()
    page = client_for(me).get(reverse("risks:my_actions")).text
    assert f'href="{action.risk.get_absolute_url()}"' in page
    assert f'action="{reverse("risks:action_status", args=[project.pk, action.pk])}"' in page
    assert f'href="{reverse("risks:action_edit", args=[project.pk, action.pk])}?next=' in page


def test_actions_by_owner_lists_the_most_urgent_and_pages_one_owner(client_for, project, members):
    from risks.selectors.actions import ACTIONS_PER_OWNER, OWNER_ACTIONS_PER_PAGE

    owner = members[Role.APPROVER]
    bulk_register(project, [owner], members[Role.FACILITATOR], 60)
    total = MitigationAction.objects.filter(owner=owner, status__in=["open", "in_progress"]).count()
    assert total > OWNER_ACTIONS_PER_PAGE
    client = client_for(members[Role.PROJECT_MANAGER])
    url = reverse("risks:actions_by_owner", args=[project.pk])

    summary = client.get(url).text
    assert summary.count('name="actions"') == ACTIONS_PER_OWNER
    assert f"Show all {total} open actions of {owner}" in summary

    first = client.get(url, {"owner": owner.pk}).text
    assert first.count('name="actions"') == OWNER_ACTIONS_PER_PAGE
    pages = -(-total // OWNER_ACTIONS_PER_PAGE)
    assert f"Page 1 of {pages} ({total} open actions)" in first
    assert f"?owner={owner.pk}&amp;page=2#owner-{owner.pk}" in first
    last = client.get(url, {"owner": owner.pk, "page": pages}).text
    assert last.count('name="actions"') == total - (pages - 1) * OWNER_ACTIONS_PER_PAGE
    assert client.get(url, {"owner": owner.pk, "page": "x"}).status_code == 200


def test_actions_by_owner_expanded_owner_without_open_actions(client_for, project, members):
    done = members[Role.APPROVER]
    bulk_register(project, [members[Role.CONTRIBUTOR]], members[Role.FACILITATOR], 4)
    MitigationAction.objects.filter(status="done").update(owner=done)
    url = reverse("risks:actions_by_owner", args=[project.pk])
    page = client_for(members[Role.VIEWER]).get(url, {"owner": done.pk}).text
    assert "No open actions." in page
    assert "Reassign" not in page  # a viewer may not


def test_actions_by_owner_pages_are_for_members_only(client_for, project, members):
    from tests.factories import UserFactory

    url = reverse("risks:actions_by_owner", args=[project.pk])
    owner = members[Role.APPROVER]
    response = client_for(UserFactory()).get(url, {"owner": owner.pk, "page": 2})
    assert response.status_code == 404
