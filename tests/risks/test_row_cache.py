"""The register's rows and Actions by owner's come from the cache (risks.row_cache), and a
change shows at once: the key holds what the row shows."""

import re

from django.urls import reverse

from core.cache import safe_cache
from projects.models import Role
from risks import selectors
from risks.models import MitigationAction
from risks.row_cache import register_row_key
from risks.services import action_update_status

from .conftest import bulk_register


def _register_row(client, project, risk):
    page = client.get(reverse("risks:register", args=[project.pk])).text
    match = re.search(rf"<tr>\s*<td[^>]*>{risk.reference}</td>(.*?)</tr>", page, re.S)
    assert match, "the finding's row is on the page"
    return match.group(1)


def test_register_rows_are_cached_and_a_change_shows_at_once(client_for, project, members):
    risk = bulk_register(project, [members[Role.APPROVER]], members[Role.FACILITATOR], 1)[0]
    client = client_for(members[Role.VIEWER])
    first = _register_row(client, project, risk)
    assert "overdue" in first  # its first open action is overdue
    (shown,) = selectors.register_page(project, {}, None, None, 50).object_list
    assert safe_cache.get(register_row_key(shown)) is not None  # the row was stored
    assert _register_row(client, project, risk) == first  # read from the cache

    risk.title = "Renamed finding"
    risk.save(update_fields=["title"])
    assert "Renamed finding" in _register_row(client, project, risk)

    overdue = MitigationAction.objects.get(risk=risk, description="Overdue step")
    action_update_status(action=overdue, acting_user=members[Role.APPROVER], status="done")
    row = _register_row(client, project, risk)
    assert "overdue</span>" not in row  # the next action is the one due later
    assert '<span class="badge text-bg-light border">1</span>' in row


def test_owner_action_rows_follow_the_viewer_s_right_to_reassign(client_for, project, members):
    bulk_register(project, [members[Role.CONTRIBUTOR]], members[Role.FACILITATOR], 2)
    url = reverse("risks:actions_by_owner", args=[project.pk])
    manager = client_for(members[Role.PROJECT_MANAGER]).get(url).text
    viewer = client_for(members[Role.VIEWER]).get(url).text
    assert 'name="actions"' in manager
    assert 'name="actions"' not in viewer  # the same action, another row
    assert viewer.count("Overdue step") == manager.count("Overdue step") == 2


def _heat_cell(page, likelihood, impact):
    match = re.search(
        rf'aria-label="Likelihood {likelihood}, impact {impact}: (\d+) findings?[^"]*"', page
    )
    assert match, "the cell is on the page"
    return int(match.group(1)), match.group(0)


def test_the_heat_map_is_drawn_once_and_follows_counts_and_selection(client_for, project, members):
    from tests.factories import RiskFactory

    raiser = members[Role.FACILITATOR]
    risk = RiskFactory(project=project, raised_by=raiser, likelihood=4, impact=4)
    client = client_for(members[Role.VIEWER])
    url = reverse("risks:register", args=[project.pk])
    page = client.get(url).text
    assert _heat_cell(page, 4, 4)[0] == 1
    drawn = selectors.heatmap(selectors.register_queryset(project, {}, cell=False))
    assert safe_cache.get(drawn.svg_key) is None
    assert "Likelihood 4, impact 4: 1 finding," in drawn.svg
    assert safe_cache.get(drawn.svg_key) == drawn.svg  # stored; the next map reads it

    RiskFactory(project=project, raised_by=raiser, likelihood=4, impact=4)
    risk.likelihood = 2
    risk.save(update_fields=["likelihood"])
    page = client.get(url).text
    assert _heat_cell(page, 4, 4)[0] == 1  # one moved out, one came in
    assert _heat_cell(page, 2, 4)[0] == 1

    selected = client.get(url, {"likelihood": 2, "impact": 4}).text
    assert _heat_cell(selected, 2, 4)[1].endswith(', selected; activate to clear"')
    assert "selected" not in _heat_cell(page, 2, 4)[1]  # the unfiltered map is not marked


def _selected_option(page, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"the {name} filter is on the page"
    chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen, re.findall(r">([^<]+)</option>", select.group(1))


def test_the_filter_fields_are_drawn_once_and_follow_values_and_choices(
    client_for, project, members
):
    from tests.factories import MembershipFactory, UserFactory

    client = client_for(members[Role.VIEWER])
    url = reverse("risks:register", args=[project.pk])
    assert _selected_option(client.get(url).text, "status")[0] == [""]
    page = client.get(url, {"status": "closed"}).text
    assert _selected_option(page, "status")[0] == ["closed"]
    assert _selected_option(client.get(url).text, "status")[0] == [""]  # not the last one

    newcomer = UserFactory(full_name="Nadia Newcomer")
    MembershipFactory(project=project, user=newcomer, role=Role.CONTRIBUTOR)
    assert "Nadia Newcomer" in _selected_option(client.get(url).text, "owner")[1]
    # A value that is not a choice is dropped from the filters, never an error.
    page = client.get(url, {"owner": "999999", "status": "nonsense"})
    assert page.status_code == 200
