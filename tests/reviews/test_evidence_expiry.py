"""Evidence with a "valid until" day (issue 15 §4): flagged on the item once expired,
counted in the go / no-go gate."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.selectors import gate, overrides
from projects.models import Role
from reviews.models import ItemEvidence
from reviews.services.items import item_evidence_add, item_evidence_remove
from tests.factories import make_review

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def review(project, members):
    return make_review(project, acting_user=members[Role.FACILITATOR])


def add_link(item, user, valid_until, title="Proof"):
    return item_evidence_add(
        item=item, acting_user=user, title=title, url="https://example.com/p",
        valid_until=valid_until,
    )  # fmt: skip


def test_evidence_is_expired_only_after_its_last_valid_day(review, members):
    item = review.items.first()
    today = add_link(item, members[Role.FACILITATOR], days(0))
    yesterday = add_link(item, members[Role.FACILITATOR], days(-1))
    forever = add_link(item, members[Role.FACILITATOR], None)
    assert (today.is_expired, yesterday.is_expired, forever.is_expired) == (False, True, False)


def test_the_form_takes_a_valid_until_day(client_for, review, members):
    item = review.items.first()
    url = reverse("reviews:evidence_add", args=[review.project_id, review.pk, item.pk])
    client_for(members[Role.FACILITATOR]).post(
        url, {"title": "Test plan", "url": "https://example.com/t", "valid_until": "2031-03-01"}
    )
    assert ItemEvidence.objects.get(title="Test plan").valid_until == datetime.date(2031, 3, 1)


def test_a_bad_valid_until_day_is_a_message_not_an_error(client_for, review, members):
    item = review.items.first()
    url = reverse("reviews:evidence_add", args=[review.project_id, review.pk, item.pk])
    response = client_for(members[Role.FACILITATOR]).post(
        url, {"title": "T", "url": "https://example.com/t", "valid_until": "soon"}, follow=True
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not ItemEvidence.objects.filter(title="T").exists()


def test_expired_evidence_is_flagged_on_the_item_page_and_the_row(client_for, review, members):
    item = review.items.first()
    add_link(item, members[Role.FACILITATOR], days(-2), title="Old certificate")
    client = client_for(members[Role.VIEWER])
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Evidence expired" in page
    assert '<span class="badge text-bg-danger">expired</span>' in page
    assert "Old certificate" in page
    review_page = client.get(review.get_absolute_url()).content.decode()
    assert review_page.count("Evidence expired</span>") == 1


def test_valid_evidence_is_not_flagged(client_for, review, members):
    item = review.items.first()
    add_link(item, members[Role.FACILITATOR], days(10), title="Fresh certificate")
    page = client_for(members[Role.VIEWER]).get(item.get_absolute_url()).content.decode()
    assert "Evidence expired" not in page
    assert "valid until" in page


def test_the_gate_counts_items_with_expired_evidence(review, members):
    first, second, third = list(review.items.order_by("section__order", "order"))[:3]
    add_link(first, members[Role.FACILITATOR], days(-1))
    add_link(first, members[Role.FACILITATOR], days(-5))  # the same item counts once
    add_link(second, members[Role.FACILITATOR], days(-1))
    add_link(third, members[Role.FACILITATOR], days(3))  # still valid
    state = gate(review)
    assert state["expired_evidence"].count == 2
    assert [item.pk for item in state["expired_evidence"].rows] == [first.pk, second.pk]
    assert state["clear"] is False
    tally = {"met": True}
    assert "2 items with expired evidence" in overrides(state, tally)[0]


def test_removed_expired_evidence_no_longer_counts(review, members):
    item = review.items.first()
    evidence = add_link(item, members[Role.FACILITATOR], days(-1))
    item_evidence_remove(evidence=evidence, acting_user=members[Role.FACILITATOR])
    assert gate(review)["expired_evidence"].count == 0


def test_the_gate_page_shows_expired_evidence(client_for, review, members):
    item = review.items.first()
    add_link(item, members[Role.FACILITATOR], days(-1))
    url = reverse("decisions:decision", args=[review.project_id, review.pk])
    page = client_for(members[Role.VIEWER]).get(url).content.decode()
    assert "Items with expired evidence (1)" in page
    assert item.title in page
