import re

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Role
from risks.models import MitigationAction, Risk
from tests.factories import MitigationActionFactory, RiskFactory, UserFactory

from .conftest import days

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Register ---------------------------------------------------------------------------


def test_register_shows_rows_badges_and_heat_map(client_for, project, members, risk):
    RiskFactory(
        project=project, title="Nobody on it", type="issue", raised_by=members[Role.FACILITATOR]
    )
    response = client_for(members[Role.VIEWER]).get(reverse("risks:register", args=[project.pk]))
    assert response.status_code == 200
    html = response.text
    assert risk.title in html
    assert "Nobody on it" in html
    assert "High · 12" in html
    assert html.count("No mitigation plan</span>") == 1
    assert "<svg" in html
    assert "Likelihood 4, impact 3: 1 finding" in html
    assert "Raise a finding" not in html  # viewers read only


def test_register_cell_link_filters_by_likelihood_and_impact(client_for, project, members, risk):
    RiskFactory(
        project=project, title="Elsewhere", likelihood=1, impact=1, raised_by=risk.raised_by
    )
    client = client_for(members[Role.PROJECT_MANAGER])
    page = client.get(reverse("risks:register", args=[project.pk]), {"type": "risk"}).text
    link = re.search(r'<a href="([^"]+)"[^>]*aria-label="Likelihood 4, impact 3', page).group(1)
    assert "likelihood=4" in link
    assert "impact=3" in link
    assert "type=risk" in link
    filtered = client.get(reverse("risks:register", args=[project.pk]) + link.replace("&amp;", "&"))
    assert risk.title in filtered.text
    assert "Elsewhere" not in filtered.text.split("<tbody>")[1]
    assert 'aria-current="true"' in filtered.text


def test_register_empty_state(client_for, project, members):
    response = client_for(members[Role.CONTRIBUTOR]).get(
        reverse("risks:register", args=[project.pk])
    )
    assert "No findings yet." in response.text
    assert "Raise the first finding" in response.text


def test_register_sort_links_toggle(client_for, project, members, risk):
    url = reverse("risks:register", args=[project.pk])
    page = client_for(members[Role.VIEWER]).get(url, {"sort": "title"}).text
    assert 'aria-sort="ascending"' in page
    assert "?sort=-title" in page


# --- Detail, edit, accept -------------------------------------------------------------------


def test_risk_detail_shows_actions_history_and_item_link(client_for, project, members, review_item):
    risk = RiskFactory(
        project=project, review=review_item.review, review_item=review_item,
        area=review_item.section, raised_by=members[Role.FACILITATOR],
        workaround="Manual journal entries",
    )  # fmt: skip
    MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR], description="Rerun load")
    response = client_for(members[Role.APPROVER]).get(risk.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert "Rerun load" in html
    assert review_item.get_absolute_url() in html
    assert "Manual journal entries" in html
    assert "Accept the risk</button>" in html


def test_edit_conflict_keeps_my_text_and_names_the_other_change(client_for, project, members, risk):
    from risks import services

    services.risk_update(risk=risk, acting_user=members[Role.PROJECT_MANAGER], version=1, impact=5)
    url = reverse("risks:risk_edit", args=[project.pk, risk.pk])
    data = {
        "version": 1, "title": "My better title", "type": "risk", "category": "data",
        "status": "open", "likelihood": 4, "impact": 3, "description": "", "recommendation": "",
        "workaround": "",
    }  # fmt: skip
    response = client_for(members[Role.FACILITATOR]).post(url, data)
    assert response.status_code == 409
    assert "Impact “3” → “5”" in response.text
    assert 'value="My better title"' in response.text
    assert 'name="version" value="2"' in response.text
    risk.refresh_from_db()
    assert risk.title != "My better title"
    data["version"] = 2
    response = client_for(members[Role.FACILITATOR]).post(url, data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.title, risk.impact, risk.version) == ("My better title", 3, 3)


def test_accept_blocker_without_workaround_shows_the_rule(client_for, project, members):
    blocker = RiskFactory(project=project, raised_by=members[Role.FACILITATOR], is_blocker=True)
    url = reverse("risks:risk_accept", args=[project.pk, blocker.pk])
    response = client_for(members[Role.APPROVER]).post(url, {"version": 1, "reason": "Go"})
    assert response.status_code == 400
    assert "can be accepted only with a workaround" in response.text
    blocker.refresh_from_db()
    assert blocker.status == "open"


def test_raiser_sees_why_they_cannot_accept(client_for, project, members):
    own = RiskFactory(project=project, raised_by=members[Role.APPROVER])
    response = client_for(members[Role.APPROVER]).get(own.get_absolute_url())
    assert "You raised this finding" in response.text
    assert "Accept the risk</button>" not in response.text


def test_create_page_raises_a_finding_with_first_action(client_for, project, members):
    url = reverse("risks:risk_create", args=[project.pk])
    response = client_for(members[Role.CONTRIBUTOR]).post(
        url,
        {
            "title": "Interface retries missing", "type": "issue", "category": "integration",
            "likelihood": 3, "impact": 4, "description": "", "recommendation": "", "workaround": "",
            "action-description": "Add retry policy", "action-owner": members[Role.APPROVER].pk,
            "action-due_date": days(5).isoformat(),
        },
    )  # fmt: skip
    risk = Risk.objects.get(title="Interface retries missing")
    assert response.status_code == 302
    assert response["Location"] == risk.get_absolute_url()
    assert risk.raised_by == members[Role.CONTRIBUTOR]
    assert risk.actions.get().owner == members[Role.APPROVER]


# --- Quick add from a review item ------------------------------------------------------------


def _quick_add_data(members, **overrides):
    data = {
        "title": "Warehouse roles not tested", "type": "risk", "likelihood": 4, "impact": 4,
        "is_blocker": "on", "action_description": "Test with real roles",
        "owner": members[Role.CONTRIBUTOR].pk, "due_date": days(3).isoformat(),
    }  # fmt: skip
    return data | overrides


def test_quick_add_get_returns_the_form_fragment(client_for, project, members, review_item):
    url = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    response = client_for(members[Role.FACILITATOR]).get(url, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="risk-quick-add-{review_item.pk}"')
    assert "<html" not in response.text
    assert f'hx-post="{url}"' in response.text


def test_quick_add_via_htmx_creates_risk_and_action_and_lists_item_risks(
    client_for, project, members, review_item
):
    url = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    response = client_for(members[Role.FACILITATOR]).post(url, _quick_add_data(members), **HTMX)
    assert response.status_code == 200
    risk = Risk.objects.get()
    assert (risk.review_item, risk.area, risk.is_blocker) == (
        review_item,
        review_item.section,
        True,
    )
    action = risk.actions.get()
    assert (action.owner, action.due_date) == (members[Role.CONTRIBUTOR], days(3))
    assert "<html" not in response.text
    assert "raised with its first action" in response.text
    assert risk.get_absolute_url() in response.text
    assert "Add another finding" in response.text


def test_quick_add_with_errors_returns_the_form_with_messages(
    client_for, project, members, review_item
):
    url = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    stranger = UserFactory()
    data = _quick_add_data(members, likelihood="", owner=stranger.pk)
    response = client_for(members[Role.FACILITATOR]).post(url, data, **HTMX)
    assert response.status_code == 200
    assert "Rate the likelihood" in response.text
    assert "not a member of this project" in response.text
    assert not Risk.objects.exists()


def test_quick_add_without_htmx_redirects_to_the_risk(client_for, project, members, review_item):
    url = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    response = client_for(members[Role.APPROVER]).post(url, _quick_add_data(members))
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == risk.get_absolute_url()


# --- My actions, status, actions by owner ------------------------------------------------------


def test_my_actions_lists_mine_overdue_first_and_htmx_done_rerenders_the_row(
    client_for, project, members, risk
):
    me = members[Role.CONTRIBUTOR]
    late = MitigationActionFactory(risk=risk, owner=me, due_date=days(-4), description="Late one")
    client = client_for(me)
    page = client.get(reverse("risks:my_actions")).text
    assert page.index("Late one") < page.index("Mitigation step")
    assert 'class="table-danger"' in page
    url = reverse("risks:action_status", args=[project.pk, late.pk])
    response = client.post(
        url, {"status": "done", "row": "my_actions", "next": "/my-actions/"}, **HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="my-action-{late.pk}"')
    assert "Reopen" in response.text
    late.refresh_from_db()
    assert (late.status, late.completed_by) == ("done", me)


def test_status_change_without_htmx_redirects_back(client_for, project, members, action):
    url = reverse("risks:action_status", args=[project.pk, action.pk])
    response = client_for(members[Role.CONTRIBUTOR]).post(
        url, {"status": "in_progress", "next": "/my-actions/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/my-actions/"
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_status_change_refuses_an_outside_next_url(client_for, project, members, action):
    url = reverse("risks:action_status", args=[project.pk, action.pk])
    response = client_for(members[Role.CONTRIBUTOR]).post(
        url, {"status": "done", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == action.risk.get_absolute_url()


def test_my_actions_leaves_out_projects_i_left(client_for, project, members, action):
    me = members[Role.CONTRIBUTOR]
    Membership.objects.filter(project=project, user=me).delete()
    page = client_for(me).get(reverse("risks:my_actions")).text
    assert action.description not in page
    assert "Nothing waits on you." in page


def test_actions_by_owner_shows_former_owner_and_reassigns(client_for, project, members, action):
    manager, leaver = members[Role.PROJECT_MANAGER], members[Role.CONTRIBUTOR]
    Membership.objects.filter(project=project, user=leaver).delete()
    client = client_for(manager)
    url = reverse("risks:actions_by_owner", args=[project.pk])
    page = client.get(url).text
    former = page.split("Owners no longer in the project")[1]
    assert str(leaver) in former
    assert action.description in former
    response = client.post(
        reverse("risks:actions_reassign", args=[project.pk]),
        {"actions": [action.pk], "owner": members[Role.APPROVER].pk},
        follow=True,
    )
    assert f"1 action now owned by {members[Role.APPROVER]}" in response.text
    action.refresh_from_db()
    assert action.owner == members[Role.APPROVER]
    assert "Owners no longer in the project" not in response.text


def test_reassign_to_a_non_member_is_refused_with_a_message(client_for, project, members, action):
    stranger = UserFactory()
    response = client_for(members[Role.FACILITATOR]).post(
        reverse("risks:actions_reassign", args=[project.pk]),
        {"actions": [action.pk], "owner": stranger.pk},
        follow=True,
    )
    assert "Not reassigned: That person is not a member of this project" in response.text
    assert MitigationAction.objects.get(pk=action.pk).owner == members[Role.CONTRIBUTOR]


def test_owner_edits_notes_only(client_for, project, members, action):
    url = reverse("risks:action_edit", args=[project.pk, action.pk])
    client = client_for(members[Role.CONTRIBUTOR])
    assert 'name="due_date"' not in client.get(url).text
    response = client.post(
        url, {"version": 1, "notes": "Waiting on vendor", "due_date": days(90).isoformat()}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.notes == "Waiting on vendor"
    assert action.due_date == days(7)


def test_action_edit_on_an_older_version_keeps_my_text_and_names_the_change(
    client_for, project, members, action
):
    from risks import services

    services.action_update(
        action=action, acting_user=members[Role.PROJECT_MANAGER], version=1, notes="Vendor called"
    )
    url = reverse("risks:action_edit", args=[project.pk, action.pk])
    data = {"version": 1, "description": action.description, "notes": "My own notes"}
    response = client_for(members[Role.FACILITATOR]).post(url, data)
    assert response.status_code == 409
    assert "changed this action while you were editing it" in response.text
    assert "Vendor called" in response.text
    assert "My own notes" in response.text
    assert 'name="version" value="2"' in response.text
    action.refresh_from_db()
    assert action.notes == "Vendor called"
    response = client_for(members[Role.FACILITATOR]).post(url, {**data, "version": 2})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.notes, action.version) == ("My own notes", 3)


# --- Other pages --------------------------------------------------------------------------------


def test_project_page_has_the_risks_card(client_for, project, members, risk):
    RiskFactory(project=project, is_blocker=True, raised_by=members[Role.FACILITATOR])
    page = client_for(members[Role.VIEWER]).get(project.get_absolute_url()).text
    assert 'id="risks-card-heading"' in page
    assert "1 open go-live blocker" in page
    assert "1 without a mitigation plan" in page
    assert reverse("risks:register", args=[project.pk]) in page


def test_home_shows_my_overdue_actions_and_open_blockers(client_for, project, members, risk):
    me = members[Role.CONTRIBUTOR]
    MitigationActionFactory(risk=risk, owner=me, due_date=days(-2), description="Chase the vendor")
    RiskFactory(project=project, is_blocker=True, raised_by=members[Role.FACILITATOR])
    page = client_for(me).get(reverse("home")).text
    assert "My overdue actions" in page
    assert "Chase the vendor" in page
    assert "1 open blocker" in page
    assert reverse("risks:my_actions") in page  # the navigation link


def test_done_action_completed_at_shows_on_detail(client_for, project, members, risk):
    MitigationActionFactory(
        risk=risk, owner=members[Role.APPROVER], status="done", completed_at=timezone.now(),
        completed_by=members[Role.APPROVER],
    )  # fmt: skip
    page = client_for(members[Role.VIEWER]).get(risk.get_absolute_url()).text
    assert f"by {members[Role.APPROVER]}" in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.APPROVER])
def test_no_status_buttons_for_those_who_may_not(client_for, project, members, risk, role):
    page = client_for(members[role]).get(risk.get_absolute_url()).text
    assert 'name="status" value="done"' not in page


def test_item_findings_fragment_lists_the_item_s_findings_with_add_a_finding(
    client_for, project, members, review_item
):
    """The panel the item page and workshop mode load from the risks app (htmx)."""
    raiser = members[Role.FACILITATOR]
    blocker = RiskFactory(
        project=project, review_item=review_item, is_blocker=True, raised_by=raiser
    )
    closed = RiskFactory(
        project=project, review_item=review_item, status="closed", raised_by=raiser
    )
    elsewhere = RiskFactory(project=project, raised_by=raiser)
    url = reverse("risks:item_findings", args=[project.pk, review_item.pk])
    fragment = client_for(raiser).get(url, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment
    assert blocker.title in fragment
    assert closed.title in fragment
    assert elsewhere.title not in fragment
    # Without htmx it is a page, with "Add a finding" for those who may raise one.
    quick_add = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    assert quick_add in client_for(raiser).get(url).text
    page = client_for(members[Role.VIEWER]).get(url).text
    assert "<html" in page
    assert blocker.title in page
    assert quick_add not in page


@pytest.mark.parametrize(("role", "offered"), [(Role.CONTRIBUTOR, True), (Role.VIEWER, False)])
def test_item_page_loads_the_findings_from_the_risks_app(
    client_for, project, review_item, members, role, offered
):
    page = client_for(members[role]).get(review_item.get_absolute_url()).text
    url = reverse("risks:item_findings", args=[project.pk, review_item.pk])
    assert f'hx-get="{url}"' in page
    assert f'href="{url}"' in page  # without JavaScript, a link to the same list
    quick_add = reverse("risks:quick_add", args=[project.pk, review_item.pk])
    assert (f'hx-get="{quick_add}"' in page) is offered


def test_edit_without_a_version_is_refused(client_for, project, members, risk):
    url = reverse("risks:risk_edit", args=[project.pk, risk.pk])
    data = {
        "title": "No version", "type": "risk", "category": "data", "status": "open",
        "likelihood": 4, "impact": 3,
    }  # fmt: skip
    response = client_for(members[Role.FACILITATOR]).post(url, data)
    assert response.status_code == 400
    risk.refresh_from_db()
    assert risk.title != "No version"
