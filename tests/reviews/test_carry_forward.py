"""Reviews carried forward (issue 15 §3): answers copied and marked to re-confirm, never
sign-offs; confirming or editing clears the mark; the score counts unconfirmed items as
not done."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.errors import ConflictError
from projects.models import Role
from reviews.models import ItemEvidence, Review, ReviewItem, ReviewItemChange, TemplateItem
from reviews.selectors.scores import scores_for_reviews
from reviews.services.items import item_evidence_add, review_item_confirm, review_item_update
from reviews.services.reviews import review_create
from reviews.services.signoffs import item_sign_off
from tests.factories import ProjectFactory, make_review, make_template

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 1, 15)


@pytest.fixture
def template():
    return make_template()


@pytest.fixture
def previous(project, members, template):
    """A review with answers: item-0-0 done, owned, due, with a link, a file and a sign-off;
    item-0-1 flagged as a blocker; the others untouched."""
    review = make_review(
        project, template=template, acting_user=members[Role.FACILITATOR], title="Review 1"
    )
    facilitator = members[Role.FACILITATOR]
    first = review.items.get(key="item-0-0")
    first = review_item_update(
        item=first, acting_user=facilitator, version=1, status="done",
        response="Tested in UAT", owner=members[Role.CONTRIBUTOR], due_date=DUE,
    )  # fmt: skip
    item_evidence_add(
        item=first, acting_user=facilitator, title="UAT report", url="https://example.com/uat",
        valid_until=DUE,
    )  # fmt: skip
    upload = ContentFile(b"%PDF-1.4 test", name="sign-off.pdf")
    item_evidence_add(item=first, acting_user=facilitator, file=upload)
    item_sign_off(item=first, acting_user=members[Role.APPROVER], decision="approve")
    second = review.items.get(key="item-0-1")
    review_item_update(
        item=second, acting_user=facilitator, version=1, status="at_risk",
        is_blocker=True, blocker_reason="Interfaces not tested",
    )  # fmt: skip
    return review


def carry(project, members, template, previous, **kwargs):
    return review_create(
        project=project, template=template, acting_user=members[Role.FACILITATOR],
        title="Review 2", carry_from=previous, **kwargs,
    )  # fmt: skip


def test_carry_forward_copies_the_answers_exactly(project, members, template, previous):
    review = carry(project, members, template, previous)
    assert review.carried_from == previous
    before = {item.key: item for item in previous.items.all()}
    for item in review.items.all():
        old = before[item.key]
        assert (item.status, item.response, item.owner_id, item.due_date) == (
            old.status, old.response, old.owner_id, old.due_date,
        )  # fmt: skip
        assert (item.is_blocker, item.blocker_reason) == (old.is_blocker, old.blocker_reason)
    first = review.items.get(key="item-0-0")
    assert (first.status, first.response, first.due_date) == ("done", "Tested in UAT", DUE)
    assert first.owner == members[Role.CONTRIBUTOR]
    assert review.items.get(key="item-0-1").blocker_reason == "Interfaces not tested"


def test_carry_forward_marks_every_copied_item_and_copies_no_signoff(
    project, members, template, previous
):
    review = carry(project, members, template, previous)
    assert review.items.count() == 6
    assert review.items.filter(to_reconfirm=True).count() == 6
    assert not review.items.filter(signoffs__isnull=False).exists()
    assert previous.items.get(key="item-0-0").signoffs.count() == 1  # the old one stays
    # The history says where each answer came from.
    notes = ReviewItemChange.objects.filter(item__review=review).values_list("note", flat=True)
    assert len(notes) == 6
    assert all("Carried forward from “Review 1”" in note for note in notes)


def test_carry_forward_copies_evidence_sharing_the_stored_file(
    project, members, template, previous
):
    review = carry(project, members, template, previous)
    old = {e.title: e for e in ItemEvidence.objects.filter(item__review=previous)}
    new = {e.title: e for e in ItemEvidence.objects.filter(item__review=review)}
    assert set(new) == {"UAT report", "sign-off.pdf"}
    assert new["UAT report"].url == "https://example.com/uat"
    assert new["UAT report"].valid_until == DUE
    assert new["sign-off.pdf"].file.name == old["sign-off.pdf"].file.name
    assert new["sign-off.pdf"].item.key == "item-0-0"
    assert new["sign-off.pdf"].item.review == review


def test_removed_evidence_is_not_carried(project, members, template, previous):
    from reviews.services.items import item_evidence_remove

    link = ItemEvidence.objects.get(item__review=previous, title="UAT report")
    item_evidence_remove(evidence=link, acting_user=members[Role.FACILITATOR])
    review = carry(project, members, template, previous)
    titles = set(ItemEvidence.objects.filter(item__review=review).values_list("title", flat=True))
    assert titles == {"sign-off.pdf"}


def test_new_template_items_come_in_blank_and_removed_ones_are_listed(
    project, members, template, previous
):
    newer = make_template(key="test-checklist")  # version 2, same keys
    newer.items.filter(key="item-1-2").delete()
    TemplateItem.objects.create(
        template=newer, section=newer.sections.get(key="area-1"), key="item-new",
        title="A new question", order=9, signoff_roles=["business_owner"], scopes=["all"],
    )  # fmt: skip
    review = carry(project, members, newer, previous)
    fresh = review.items.get(key="item-new")
    assert (fresh.status, fresh.response, fresh.to_reconfirm) == ("not_started", "", False)
    assert review.items.filter(to_reconfirm=True).count() == 5
    assert review.removed_since_carried == [{"key": "item-1-2", "title": "Item 1.2"}]


def test_an_owner_no_longer_member_is_not_carried(project, members, template, previous):
    project.memberships.filter(user=members[Role.CONTRIBUTOR]).delete()
    review = carry(project, members, template, previous)
    assert review.items.get(key="item-0-0").owner is None


def test_carry_forward_refuses_a_review_of_another_project(project, members, template):
    from django.core.exceptions import ValidationError

    foreign = make_review(ProjectFactory(), template=template)
    with pytest.raises(ValidationError):
        carry(project, members, template, foreign)
    assert not Review.objects.filter(title="Review 2").exists()


@pytest.mark.parametrize("per_section", [3, 30])
def test_carry_forward_queries_do_not_grow(
    project, members, django_assert_max_num_queries, per_section
):
    template = make_template(items_per_section=per_section, key=f"size-{per_section}")
    previous = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    ReviewItem.objects.filter(review=previous).update(status="done", response="Yes")
    ItemEvidence.objects.bulk_create(
        ItemEvidence(item=item, url="https://example.com/x", title="Proof")
        for item in previous.items.all()
    )
    with django_assert_max_num_queries(14):
        review = carry(project, members, template, previous)
    assert review.items.filter(to_reconfirm=True).count() == 2 * per_section
    assert ItemEvidence.objects.filter(item__review=review).count() == 2 * per_section


# --- Re-confirming --------------------------------------------------------------------


@pytest.fixture
def carried(project, members, template, previous):
    return carry(project, members, template, previous)


def test_confirm_clears_the_mark_and_records_it(carried, members):
    item = carried.items.get(key="item-0-0")
    confirmed = review_item_confirm(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version
    )
    assert confirmed.to_reconfirm is False
    assert confirmed.version == item.version + 1
    change = confirmed.changes.order_by("-version").first()
    assert change.changes == {"to_reconfirm": ["yes", "no"]}
    assert change.note.startswith("Confirmed")
    assert change.user == members[Role.FACILITATOR]


def test_any_saved_edit_clears_the_mark(carried, members):
    item = carried.items.get(key="item-0-1")
    edited = review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version,
        response="Interfaces now tested",
    )  # fmt: skip
    assert edited.to_reconfirm is False
    assert edited.changes.order_by("-version").first().changes["to_reconfirm"] == ["yes", "no"]


def test_confirm_on_a_stale_version_is_a_conflict(carried, members):
    item = carried.items.get(key="item-0-0")
    seen = item.version
    review_item_update(
        item=item, acting_user=members[Role.PROJECT_MANAGER], version=seen, response="Changed"
    )
    with pytest.raises(ConflictError) as error:
        review_item_confirm(item=item, acting_user=members[Role.FACILITATOR], version=seen)
    assert "Project Manager Person changed this item" in str(error.value)


def test_the_score_counts_an_unconfirmed_item_as_not_done(carried, members, previous):
    old = scores_for_reviews([previous])[previous.pk].overall
    assert old.done == 1
    assert old.complete == 1  # done and signed
    before = scores_for_reviews([carried])[carried.pk].overall
    assert before.done == 0
    assert before.complete == 0
    item = carried.items.get(key="item-0-0")
    review_item_confirm(item=item, acting_user=members[Role.FACILITATOR], version=item.version)
    after = scores_for_reviews([carried])[carried.pk].overall  # the cached score moved on
    assert after.done == 1
    assert after.complete == 0  # sign-offs are given again


def test_the_score_cache_changes_with_the_confirmation_alone(carried, members):
    from reviews.selectors.scores import _score_fingerprints

    item = carried.items.get(key="item-0-0")
    before = _score_fingerprints([carried.pk])[carried.pk]
    ReviewItem.objects.filter(pk=item.pk).update(to_reconfirm=False)  # even without a version
    assert _score_fingerprints([carried.pk])[carried.pk] != before


# --- Pages ----------------------------------------------------------------------------


def create_url(project):
    return reverse("reviews:review_create", args=[project.pk])


def test_the_new_review_form_starts_from_the_latest_review(
    client_for, project, members, template, previous
):
    newest = make_review(project, template=template, title="Review 1b")
    page = client_for(members[Role.FACILITATOR]).get(create_url(project)).content.decode()
    assert "Start from" in page
    assert f'<option value="{newest.pk}" selected>Review 1b</option>' in page
    assert "Blank: every item not started" in page


def test_the_new_review_form_has_no_choice_without_a_previous_review(client_for, project, members):
    page = client_for(members[Role.FACILITATOR]).get(create_url(project)).content.decode()
    assert "Start from" not in page


def test_creating_from_the_previous_review_through_the_page(
    client_for, project, members, template, previous
):
    response = client_for(members[Role.FACILITATOR]).post(
        create_url(project),
        {"template": template.pk, "title": "Review 2", "carry_from": previous.pk},
        follow=True,
    )
    review = Review.objects.get(title="Review 2")
    assert review.carried_from == previous
    page = response.content.decode()
    assert "carried forward from" in page
    assert "To re-confirm (6)" in page


def test_creating_blank_through_the_page(client_for, project, members, template, previous):
    client_for(members[Role.FACILITATOR]).post(
        create_url(project), {"template": template.pk, "title": "Review 2", "carry_from": ""}
    )
    review = Review.objects.get(title="Review 2")
    assert review.carried_from is None
    assert not review.items.filter(to_reconfirm=True).exists()


def test_another_projects_review_is_refused_in_the_page(
    client_for, project, members, template, previous
):
    foreign = make_review(ProjectFactory(), template=template)
    response = client_for(members[Role.FACILITATOR]).post(
        create_url(project),
        {"template": template.pk, "title": "Review 2", "carry_from": foreign.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Review.objects.filter(title="Review 2").exists()


def test_the_review_page_filters_items_to_reconfirm(client_for, members, carried):
    item = carried.items.get(key="item-0-0")
    review_item_confirm(item=item, acting_user=members[Role.FACILITATOR], version=item.version)
    client = client_for(members[Role.VIEWER])
    url = carried.get_absolute_url()
    page = client.get(url).content.decode()
    assert "To re-confirm (5)" in page
    assert page.count(">To re-confirm</span>") == 5  # the badge on each such row
    filtered = client.get(url, {"reconfirm": "1"}).content.decode()
    assert "Showing 5 of 6 items" in filtered
    assert "Item 0.0</a>" not in filtered


def test_the_review_page_lists_removed_items(client_for, project, members, previous):
    newer = make_template(key="test-checklist")
    newer.items.filter(key="item-1-2").delete()
    review = carry(project, members, newer, previous)
    page = client_for(members[Role.VIEWER]).get(review.get_absolute_url()).content.decode()
    assert "Removed since “Review 1”" in page
    assert "Item 1.2" in page


@pytest.mark.parametrize("per_section", [3, 30])
def test_review_page_with_the_filter_queries_do_not_grow(
    client_for, project, members, django_assert_max_num_queries, per_section
):
    template = make_template(items_per_section=per_section, key=f"page-{per_section}")
    previous = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    ReviewItem.objects.filter(review=previous).update(status="done", response="Yes")
    review = carry(project, members, template, previous)
    client = client_for(members[Role.FACILITATOR])
    with django_assert_max_num_queries(10):
        response = client.get(review.get_absolute_url(), {"reconfirm": "1"})
    assert f"To re-confirm ({2 * per_section})" in response.content.decode()


def test_confirm_from_the_item_page(client_for, members, carried):
    item = carried.items.get(key="item-0-0")
    client = client_for(members[Role.FACILITATOR])
    page = client.get(item.get_absolute_url()).content.decode()
    assert "carried forward from the previous review" in page
    url = reverse("reviews:item_confirm", args=[carried.project_id, carried.pk, item.pk])
    response = client.post(url, {"version": item.version}, follow=True)
    assert "Item confirmed." in response.content.decode()
    item.refresh_from_db()
    assert item.to_reconfirm is False


def test_confirm_from_the_review_row_moves_the_score(client_for, members, carried):
    item = carried.items.get(key="item-0-0")
    url = reverse("reviews:item_confirm", args=[carried.project_id, carried.pk, item.pk])
    response = client_for(members[Role.FACILITATOR]).post(
        url, {"version": item.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="readiness-panel" hx-swap-oob="true"' in html
    assert ">To re-confirm</span>" not in html


def test_confirm_with_a_stale_version_says_so(client_for, members, carried):
    item = carried.items.get(key="item-0-0")
    review_item_update(
        item=item, acting_user=members[Role.PROJECT_MANAGER], version=item.version, response="New"
    )
    url = reverse("reviews:item_confirm", args=[carried.project_id, carried.pk, item.pk])
    client = client_for(members[Role.FACILITATOR])
    response = client.post(url, {"version": item.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "changed this item while you were editing it" in response.content.decode()
    followed = client.post(url, {"version": item.version}, follow=True).content.decode()
    assert "changed this item while you were editing it" in followed
    bad = client.post(url, {"version": "x"}, follow=True)
    assert bad.status_code == 200
    assert "reload it and confirm again" in bad.content.decode()


def test_confirm_in_workshop_mode(client_for, members, carried):
    item = carried.items.get(key="item-0-0")
    client = client_for(members[Role.FACILITATOR])
    mode = reverse("reviews:workshop_mode", args=[carried.project_id, carried.pk])
    page = client.get(mode, {"item": item.pk}).content.decode()
    assert "6 to re-confirm" in page
    assert 'id="confirm-item"' in page
    assert "<kbd>c</kbd>" in page
    url = reverse("reviews:workshop_mode_confirm", args=[carried.project_id, carried.pk, item.pk])
    response = client.post(url, {"version": item.version}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Confirmed." in html
    assert "5 to re-confirm" in html


# --- Permissions on the new actions ---------------------------------------------------


ALLOWED_TO_CARRY = {Role.PROJECT_MANAGER, Role.FACILITATOR}


@pytest.mark.parametrize("role", list(Role))
def test_who_may_carry_a_review_forward(client_for, project, members, template, previous, role):
    response = client_for(members[role]).post(
        create_url(project),
        {"template": template.pk, "title": "Review 2", "carry_from": previous.pk},
    )
    assert response.status_code == (302 if role in ALLOWED_TO_CARRY else 403)
    assert Review.objects.filter(title="Review 2").exists() == (role in ALLOWED_TO_CARRY)


def test_an_outsider_cannot_carry_forward(client_for, project, outsider, template, previous):
    response = client_for(outsider).post(
        create_url(project),
        {"template": template.pk, "title": "Review 2", "carry_from": previous.pk},
    )
    assert response.status_code == 404
    assert not Review.objects.filter(title="Review 2").exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PROJECT_MANAGER, True),
        (Role.FACILITATOR, True),
        (Role.CONTRIBUTOR, True),  # the item's owner
        (Role.APPROVER, False),
        (Role.VIEWER, False),
    ],
)
def test_who_may_confirm(client_for, members, carried, role, allowed):
    item = carried.items.get(key="item-0-0")  # owned by the contributor
    for name in ("reviews:item_confirm", "reviews:workshop_mode_confirm"):
        url = reverse(name, args=[carried.project_id, carried.pk, item.pk])
        response = client_for(members[role]).post(url, {"version": item.version})
        assert response.status_code == (302 if allowed else 403)
        item.refresh_from_db()
        assert item.to_reconfirm is not allowed


def test_a_contributor_may_not_confirm_an_item_of_someone_else(client_for, members, carried):
    item = carried.items.get(key="item-0-1")  # no owner
    url = reverse("reviews:item_confirm", args=[carried.project_id, carried.pk, item.pk])
    response = client_for(members[Role.CONTRIBUTOR]).post(url, {"version": item.version})
    assert response.status_code == 403


def test_an_outsider_cannot_confirm(client_for, outsider, carried):
    item = carried.items.get(key="item-0-0")
    for name in ("reviews:item_confirm", "reviews:workshop_mode_confirm"):
        url = reverse(name, args=[carried.project_id, carried.pk, item.pk])
        assert client_for(outsider).post(url, {"version": item.version}).status_code == 404
    item.refresh_from_db()
    assert item.to_reconfirm is True


def test_cached_rows_lose_the_badge_once_confirmed(client_for, members, carried):
    client = client_for(members[Role.VIEWER])
    url = carried.get_absolute_url()
    assert client.get(url).content.decode().count(">To re-confirm</span>") == 6  # now cached
    item = carried.items.get(key="item-0-0")
    review_item_confirm(item=item, acting_user=members[Role.FACILITATOR], version=item.version)
    assert client.get(url).content.decode().count(">To re-confirm</span>") == 5


def test_a_signed_mandatory_item_still_to_reconfirm_holds_the_gate(carried, members):
    from decisions.selectors import gate

    item = carried.items.get(key="item-0-0")  # mandatory, carried as done
    item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    state = gate(carried)
    assert item.pk in [each.pk for each in state["unsigned_mandatory"].rows]
    assert state["score"].overall.complete == 0
    review_item_confirm(item=item, acting_user=members[Role.FACILITATOR], version=item.version)
    state = gate(carried)
    assert item.pk not in [each.pk for each in state["unsigned_mandatory"].rows]
    assert state["score"].overall.complete == 1
