import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.models import Membership, Role
from reviews.models import SignOff
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off, item_sign_off_revoke
from tests.factories import MembershipFactory, UserFactory, make_review


@pytest.fixture
def item(done_item):
    return done_item


def sign_url(item):
    return reverse("reviews:item_sign_off", args=[item.review.project_id, item.review_id, item.pk])


def test_approver_signs_off(client_for, members, item):
    response = client_for(members[Role.APPROVER]).post(
        sign_url(item), {"decision": "approve", "comment": "Looks good"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Approver Person · Business owner" in response.text
    record = SignOff.objects.get(item=item)
    assert (record.signer, record.decision, record.as_role, record.item_version) == (
        members[Role.APPROVER],
        "approve",
        "business_owner",
        2,
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.FACILITATOR])
def test_members_without_the_role_cannot_sign(client_for, members, item, role):
    response = client_for(members[role]).post(sign_url(item), {"decision": "approve"})
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_member_holding_the_named_stakeholder_role_may_sign(members, item, project):
    Membership.objects.filter(project=project, user=members[Role.CONTRIBUTOR]).update(
        signoff_roles=["business_owner"]
    )
    item_sign_off(item=item, acting_user=members[Role.CONTRIBUTOR], decision="approve")
    assert SignOff.objects.get().as_role == "business_owner"


def test_member_holding_another_stakeholder_role_may_not_sign(members, item, project):
    Membership.objects.filter(project=project, user=members[Role.CONTRIBUTOR]).update(
        signoff_roles=["test_lead"]
    )
    with pytest.raises(PermissionDenied):
        item_sign_off(item=item, acting_user=members[Role.CONTRIBUTOR], decision="approve")


def test_owner_cannot_be_the_only_approver(members, item, project):
    approver = members[Role.APPROVER]
    item = review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version, owner=approver
    )
    with pytest.raises(ValidationError, match="cannot be its only approver"):
        item_sign_off(item=item, acting_user=approver, decision="approve")
    assert not SignOff.objects.exists()
    second = UserFactory()
    MembershipFactory(
        project=project, user=second, role=Role.APPROVER, signoff_roles=["business_owner"]
    )
    item_sign_off(item=item, acting_user=second, decision="approve")
    item_sign_off(item=item, acting_user=approver, decision="approve")  # now not the only one
    assert SignOff.objects.filter(decision="approve").count() == 2


def test_owner_only_refusal_is_shown_in_the_page(client_for, members, item):
    approver = members[Role.APPROVER]
    review_item_update(
        item=item, acting_user=members[Role.FACILITATOR], version=item.version, owner=approver
    )
    response = client_for(approver).post(sign_url(item), {"decision": "approve"}, follow=True)
    assert "cannot be its only approver" in response.text


def test_reject_needs_a_comment(client_for, members, item):
    response = client_for(members[Role.APPROVER]).post(
        sign_url(item), {"decision": "reject", "comment": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Say why you reject this item" in response.text
    assert not SignOff.objects.exists()


def test_revoke_adds_a_record_and_keeps_the_old_one(members, item):
    approver = members[Role.APPROVER]
    item_sign_off(item=item, acting_user=approver, decision="approve")
    item_sign_off_revoke(item=item, acting_user=approver, comment="Changed my mind")
    assert list(SignOff.objects.order_by("pk").values_list("decision", flat=True)) == [
        "approve",
        "revoke",
    ]


def test_item_needing_two_roles_shows_who_is_still_awaited(client_for, members, project):
    review = make_review(project)
    item = review.items.get(key="item-0-1")
    item.signoff_roles = ["business_owner", "test_lead"]
    item.save()
    tester = UserFactory(full_name="Tess Tester")
    MembershipFactory(
        project=project, user=tester, role=Role.CONTRIBUTOR, signoff_roles=["test_lead"]
    )
    item_sign_off(
        item=item, acting_user=members[Role.APPROVER], decision="approve", as_role="business_owner"
    )
    page = client_for(members[Role.VIEWER]).get(item.get_absolute_url())
    assert "Business owner: signed by Approver Person" in page.text
    assert "Awaiting Test lead: Tess Tester" in page.text


def test_awaiting_my_signoff_list_and_home(client_for, members, item):
    client = client_for(members[Role.APPROVER])
    page = client.get(reverse("reviews:awaiting_signoff"))
    assert item.title in page.text
    home = client.get(reverse("home"))
    assert "Awaiting my sign-off" in home.text
    assert item.title in home.text
    item_sign_off(item=item, acting_user=members[Role.APPROVER], decision="approve")
    page = client.get(reverse("reviews:awaiting_signoff"))
    assert "Nothing waits for your sign-off." in page.text


def test_awaiting_filter_on_review_page(client_for, members, item):
    response = client_for(members[Role.APPROVER]).get(
        item.review.get_absolute_url(), {"awaiting": "me"}
    )
    assert "Showing 1 of 6 items" in response.text


def test_item_awaits_me_again_after_i_revoke(members, item):
    from reviews.selectors.items import items_awaiting_signoff

    approver = members[Role.APPROVER]
    item_sign_off(item=item, acting_user=approver, decision="approve")
    assert items_awaiting_signoff(approver) == []
    item_sign_off_revoke(item=item, acting_user=approver)
    assert [i.pk for i in items_awaiting_signoff(approver)] == [item.pk]
