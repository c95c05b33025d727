"""Editing items: in-place htmx editing, plain form posts, conflicts, history."""

import pytest
from django.urls import reverse

from core.errors import ConflictError
from projects.models import Role
from reviews.models import ReviewItemChange
from reviews.services.items import review_item_update
from tests.factories import make_review


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


@pytest.fixture
def item(review):
    return review.items.get(key="item-0-1")


def edit_url(item):
    return reverse("reviews:item_edit", args=[item.review.project_id, item.review_id, item.pk])


def form_data(item, **overrides):
    data = {
        "version": item.version,
        "status": item.status,
        "response": item.response,
        "owner": item.owner_id or "",
        "due_date": "",
        "blocker_reason": "",
    }
    if item.is_blocker:
        data["is_blocker"] = "on"
    data.update(overrides)
    return data


def test_inline_edit_returns_the_row_in_place(client_for, members, item):
    client = client_for(members[Role.FACILITATOR])
    response = client.post(
        edit_url(item),
        form_data(
            item,
            status="in_progress",
            response="Test plan drafted.",
            owner=members[Role.CONTRIBUTOR].pk,
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.text
    assert "<html" not in response.text  # a fragment, not a page
    assert "Test plan drafted." in response.text
    assert "Saved" in response.text
    # The readiness panel and the item's area move with it, swapped out of band.
    assert 'id="readiness-panel" hx-swap-oob="true"' in response.text
    assert f'id="area-progress-{item.section_id}" hx-swap-oob="true"' in response.text
    item.refresh_from_db()
    assert (item.status, item.owner, item.version) == ("in_progress", members[Role.CONTRIBUTOR], 2)


def test_edit_form_fragment_is_served_to_htmx(client_for, members, item):
    response = client_for(members[Role.FACILITATOR]).get(edit_url(item), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'name="version"' in response.text
    assert "<html" not in response.text


def test_plain_form_post_works_without_javascript(client_for, members, item):
    url = item.get_absolute_url()
    response = client_for(members[Role.FACILITATOR]).post(
        url, form_data(item, status="done", response="Signed UAT report attached."), follow=True
    )
    assert "Item saved." in response.text
    item.refresh_from_db()
    assert item.status == "done"


def test_stale_edit_is_refused_and_shows_what_changed(client_for, members, item):
    stale = form_data(item, response="My version")
    review_item_update(
        item=item,
        acting_user=members[Role.PROJECT_MANAGER],
        version=1,
        response="Their version",
        status="at_risk",
    )
    response = client_for(members[Role.FACILITATOR]).post(
        edit_url(item), stale, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    text = response.text
    assert "changed this item while you were editing it" in text
    assert "Project Manager Person" in text
    assert "Their version" in text
    assert "At risk" in text
    assert "My version" in text  # what the person typed is not lost
    assert 'name="version" value="2"' in text
    item.refresh_from_db()
    assert item.response == "Their version"


def test_stale_edit_refused_on_the_plain_page_too(client_for, members, item):
    stale = form_data(item, response="Mine")
    review_item_update(
        item=item, acting_user=members[Role.PROJECT_MANAGER], version=1, response="Theirs"
    )
    response = client_for(members[Role.FACILITATOR]).post(item.get_absolute_url(), stale)
    assert response.status_code == 409
    assert "changed this item while you were editing it" in response.text
    item.refresh_from_db()
    assert item.response == "Theirs"


def test_service_refuses_stale_version(members, item):
    review_item_update(item=item, acting_user=members[Role.FACILITATOR], version=1, response="A")
    with pytest.raises(ConflictError) as refused:
        review_item_update(
            item=item, acting_user=members[Role.PROJECT_MANAGER], version=1, response="B"
        )
    assert [c.changes for c in refused.value.changes] == [{"response": ["", "A"]}]


def test_every_change_is_kept_in_history(client_for, members, item):
    user = members[Role.FACILITATOR]
    item = review_item_update(item=item, acting_user=user, version=1, status="in_progress")
    item = review_item_update(
        item=item, acting_user=user, version=2, owner=members[Role.CONTRIBUTOR]
    )
    item = review_item_update(
        item=item, acting_user=user, version=3, is_blocker=True, blocker_reason="Vendor late"
    )
    history = list(ReviewItemChange.objects.filter(item=item).order_by("version"))
    assert [h.changes for h in history] == [
        {"status": ["Not started", "In progress"]},
        {"owner": ["", "Contributor Person"]},
        {"is_blocker": ["no", "yes"], "blocker_reason": ["", "Vendor late"]},
    ]
    assert all(h.user == user for h in history)
    page = client_for(members[Role.VIEWER]).get(item.get_absolute_url())
    assert "Vendor late" in page.text
    assert "Contributor Person" in page.text


def test_saving_without_changes_writes_no_history(members, item):
    review_item_update(item=item, acting_user=members[Role.FACILITATOR], version=1, response="")
    assert not ReviewItemChange.objects.exists()


def test_blocker_flag_change_needs_a_reason(client_for, members, item):
    response = client_for(members[Role.FACILITATOR]).post(
        edit_url(item), form_data(item, is_blocker="on"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Say why the go-live blocker flag changes" in response.text
    item.refresh_from_db()
    assert item.is_blocker is False


def test_owner_must_be_a_member(client_for, members, item, outsider):
    response = client_for(members[Role.FACILITATOR]).post(
        edit_url(item), form_data(item, owner=outsider.pk), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text


def test_contributor_edits_only_items_they_own(client_for, members, item, review):
    contributor = members[Role.CONTRIBUTOR]
    client = client_for(contributor)
    assert (
        client.post(
            edit_url(item), form_data(item, response="x"), HTTP_HX_REQUEST="true"
        ).status_code
        == 403
    )
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, owner=contributor
    )
    item.refresh_from_db()
    response = client.post(
        edit_url(item), form_data(item, response="Mine now"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.response == "Mine now"


@pytest.mark.parametrize("role", [Role.APPROVER, Role.VIEWER])
def test_approvers_and_viewers_cannot_edit_items(client_for, members, item, role):
    response = client_for(members[role]).post(
        item.get_absolute_url(), form_data(item, response="x")
    )
    assert response.status_code == 403


def test_review_page_filters(client_for, members, review):
    item = review.items.get(key="item-1-2")
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, status="at_risk"
    )
    url = review.get_absolute_url()
    client = client_for(members[Role.VIEWER])
    response = client.get(url, {"status": "at_risk"})
    assert "Showing 1 of 6 items" in response.text
    assert "Item 1.2" in response.text
    assert "Item 0.1" not in response.text
    response = client.get(url, {"blocker": "1"})
    assert "Showing 0 of 6 items" in response.text  # a new review has no go-live blocker
    flagged = review.items.get(key="item-0-0")
    review_item_update(
        item=flagged, acting_user=members[Role.FACILITATOR], version=1,
        is_blocker=True, blocker_reason="The bank file format is still unknown.",
    )  # fmt: skip
    response = client.get(url, {"blocker": "1"})
    assert "Showing 1 of 6 items" in response.text
    response = client.get(
        url, {"status": "done"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="checklist"
    )
    assert "No item matches these filters." in response.text
    assert "<html" not in response.text


def test_changes_since_previous_review(client_for, members, project, review):
    item = review.items.get(key="item-0-1")
    review_item_update(item=item, acting_user=members[Role.FACILITATOR], version=1, status="done")
    later = make_review(project, template=review.template, title="Second review")
    response = client_for(members[Role.VIEWER]).get(later.get_absolute_url())
    assert "1 item moved since “Readiness review”" in response.text


def test_the_review_page_is_a_compact_table_whose_rows_open_in_place(client_for, members, review):
    item = review.items.get(key="item-0-1")
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=1, response="Plan agreed."
    )
    client = client_for(members[Role.VIEWER])
    page = client.get(review.get_absolute_url()).text
    assert page.count('<tbody class="item"') == 6
    assert "Plan agreed." not in page  # details are closed until asked for
    assert page.count('<details class="review-area') == 2
    assert "0 of 3 complete · 0%" in page
    row_url = reverse("reviews:item_row", args=[review.project_id, review.pk, item.pk])
    opened = client.get(row_url, {"open": "1"}, headers={"HX-Request": "true"}).text
    assert "Plan agreed." in opened
    assert "<html" not in opened
    assert "Edit" not in opened  # a viewer edits nothing
    closed = client.get(row_url, headers={"HX-Request": "true"}).text
    assert "Plan agreed." not in closed


def test_open_items_only_and_rejected_filters(client_for, members, review):
    from reviews.services.signoffs import item_sign_off

    approver = members[Role.APPROVER]
    done = review.items.get(key="item-0-1")
    done = review_item_update(
        item=done, acting_user=members[Role.FACILITATOR], version=1, status="done"
    )
    item_sign_off(item=done, acting_user=approver, decision="approve")
    rejected = review.items.get(key="item-1-1")
    rejected = review_item_update(
        item=rejected, acting_user=members[Role.FACILITATOR], version=1, status="done"
    )
    item_sign_off(item=rejected, acting_user=approver, decision="reject", comment="No evidence")
    client = client_for(members[Role.VIEWER])
    url = review.get_absolute_url()
    assert "Showing 5 of 6 items" in client.get(url, {"open": "1"}).text
    page = client.get(url, {"rejected": "1"}).text
    assert "Showing 1 of 6 items" in page
    assert "Rejected" in page


def test_an_item_whose_role_nobody_holds_says_so(client_for, members, review, project):
    from projects.models import Membership

    Membership.objects.filter(project=project).update(signoff_roles=[])
    page = client_for(members[Role.PROJECT_MANAGER]).get(review.get_absolute_url()).text
    assert "Business owner: nobody" in page
    item = review.items.first()
    item_page = client_for(members[Role.PROJECT_MANAGER]).get(item.get_absolute_url()).text
    assert "nobody in the project holds this role" in item_page
    assert reverse("projects:members", args=[project.pk]) in item_page
