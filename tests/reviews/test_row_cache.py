"""The review page's item rows come from the cache, and a change shows at once (issue 13):
the key holds the item's version, its sign-off state and the roles, so a stale row is
never read."""

import re

import pytest

from core.cache import safe_cache
from projects.models import Membership, Role
from projects.services.members import membership_change_role, membership_set_signoff_roles
from reviews.row_cache import markup_version
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off


@pytest.fixture
def item(done_item):
    return done_item


def row(client, item):
    """The item's row on the review page, as the viewer's browser gets it."""
    page = client.get(item.review.get_absolute_url()).text
    match = re.search(rf'<tbody class="item" id="item-{item.pk}">(.*?)</tbody>', page, re.S)
    assert match, "the item's row is on the page"
    return match.group(1)


def test_rows_are_kept_in_the_cache_under_the_item(client_for, members, item):
    from projects.permissions import ProjectAccess
    from projects.selectors import memberships_of_project
    from reviews.row_cache import roles_fingerprint, row_key, viewer_roles
    from reviews.selectors.items import review_items

    row(client_for(members[Role.VIEWER]), item)
    memberships = list(memberships_of_project(item.review.project))
    viewer = next(m for m in memberships if m.user_id == members[Role.VIEWER].pk)
    keys = [
        row_key(
            each,
            roles=roles_fingerprint(memberships),
            viewer=viewer_roles(ProjectAccess.of(viewer, project=None)),
        )
        for each in review_items(item.review)
    ]
    assert all(key.startswith(f"item-row:{markup_version()}:") for key in keys)
    assert len(safe_cache.get_many(keys)) == 6  # one row per item of the review


def test_an_edit_shows_at_once(client_for, members, item):
    client = client_for(members[Role.VIEWER])
    assert "Done" in row(client, item)
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version, status="at_risk"
    )
    shown = row(client, item)
    assert "At risk" in shown
    assert "Done" not in shown


def test_a_sign_off_shows_at_once(client_for, members, item):
    client = client_for(members[Role.VIEWER])
    assert "Signed" not in row(client, item)
    item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    assert "Signed" in row(client, item)


def test_a_role_change_shows_at_once(client_for, members, item):
    client = client_for(members[Role.VIEWER])
    assert "Approver Person" in row(client, item)  # who holds the awaited role
    contributor = Membership.objects.get(project=item.review.project, role=Role.CONTRIBUTOR)
    membership_set_signoff_roles(membership=contributor, signoff_roles=["business_owner"])
    assert "Contributor Person" in row(client, item)
    approver = Membership.objects.get(project=item.review.project, user=members[Role.APPROVER])
    membership_change_role(membership=approver, role=Role.VIEWER)
    assert "Approver Person" not in row(client, item)


def test_the_viewers_own_role_change_shows_at_once(client_for, members, item):
    """The row is the same for every role today; the key holds the viewer's roles anyway,
    so a row that comes to depend on them cannot be served to the wrong person."""
    client = client_for(members[Role.APPROVER])
    before = row(client, item)
    approver = Membership.objects.get(project=item.review.project, user=members[Role.APPROVER])
    membership_set_signoff_roles(membership=approver, signoff_roles=[])
    after = row(client, item)
    assert "Approver Person" in before
    assert "Approver Person" not in after


def panel(client, review):
    """The readiness panel of the review page, as the viewer's browser gets it."""
    page = client.get(review.get_absolute_url()).text
    match = re.search(r'<div id="readiness-panel">(.*?)</section>', page, re.S)
    assert match, "the readiness panel is on the page"
    return match.group(1)


def test_the_readiness_panel_is_kept_in_the_cache_under_its_figures(client_for, members, item):
    from reviews.row_cache import panel_key
    from reviews.selectors.scores import review_score

    panel(client_for(members[Role.VIEWER]), item.review)
    key = panel_key(review_score(item.review), item.review.project)
    assert key.startswith("readiness-panel:")
    assert 'id="score-heading"' in safe_cache.get_many([key])[key]


def test_the_readiness_panel_shows_a_sign_off_and_an_edit_at_once(client_for, members, item):
    client = client_for(members[Role.VIEWER])
    assert "0 of 6 applicable items complete" in panel(client, item.review)
    item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    assert "1 of 6 applicable items complete" in panel(client, item.review)
    item.refresh_from_db()
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version, status="at_risk"
    )
    shown = panel(client, item.review)
    assert "0 of 6 applicable items complete" in shown
    assert "1 at risk" in shown


def test_a_row_rendered_now_links_to_its_item(client_for, members, item):
    """Links are filled in only for the rows the cache did not have: those rows have them."""
    safe_cache.backend.clear()
    shown = row(client_for(members[Role.VIEWER]), item)
    assert f'href="{item.get_absolute_url()}"' in shown
    assert f'hx-get="{item.get_absolute_url()}row/?open=1"' in shown


def test_each_review_shows_its_own_items(client_for, members, item):
    """The rows' SQL is compiled once and run with each review's id."""
    from tests.factories import make_review

    other = make_review(item.review.project, acting_user=members[Role.FACILITATOR], title="Other")
    client = client_for(members[Role.VIEWER])
    for review in (item.review, other):
        page = client.get(review.get_absolute_url()).text
        shown = set(map(int, re.findall(r'<tbody class="item" id="item-(\d+)">', page)))
        assert shown == set(review.items.values_list("pk", flat=True))


def test_evidence_shows_as_expired_the_day_after_its_last_valid_day(
    client_for, members, item, monkeypatch
):
    import datetime

    from django.utils import timezone

    from reviews.services.items import item_evidence_add

    today = timezone.localdate()
    item_evidence_add(
        item=item, acting_user=members[Role.FACILITATOR], title="Certificate",
        url="https://example.com/c", valid_until=today,
    )  # fmt: skip
    client = client_for(members[Role.VIEWER])
    assert "Evidence expired" not in row(client, item)
    monkeypatch.setattr(timezone, "localdate", lambda: today + datetime.timedelta(days=1))
    assert "Evidence expired" in row(client, item)


def test_an_areas_progress_shows_a_sign_off_at_once(client_for, members, item):
    """The checklist is kept whole in the cache: its key holds each area's figures."""
    client = client_for(members[Role.VIEWER])

    def progress():
        page = client.get(item.review.get_absolute_url()).text
        match = re.search(rf'id="area-progress-{item.section_id}">(.*?)</summary>', page, re.S)
        return " ".join(match.group(1).split())

    assert "0 of 3 complete" in progress()
    item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    assert "1 of 3 complete" in progress()


def test_a_filtered_checklist_is_not_served_for_another_filter(client_for, members, item):
    client = client_for(members[Role.VIEWER])
    url = item.review.get_absolute_url()
    done = client.get(url, {"status": "done"}).text
    everything = client.get(url).text
    assert done.count('<tbody class="item"') == 1
    assert everything.count('<tbody class="item"') == 6
    assert (
        client.get(
            url, {"status": "done"}, headers={"HX-Request": "true", "HX-Target": "checklist"}
        ).text.count('<tbody class="item"')
        == 1
    )
