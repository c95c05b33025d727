"""The readiness score rules: blockers override, N/A excluded, superseded sign-offs do not count."""

import pytest

from projects.models import Role
from reviews.models import ItemStatus
from reviews.scoring import State
from reviews.selectors.scores import review_score
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off, item_sign_off_revoke
from tests.factories import make_review


def finish(item, user, approver, status=ItemStatus.DONE):
    item = review_item_update(item=item, acting_user=user, version=item.version, status=status)
    item_sign_off(item=item, acting_user=approver, decision="approve")
    return item


def test_new_review_is_not_ready(project, members):
    score = review_score(make_review(project))
    assert score.state == State.NOT_READY
    assert score.percent == 0
    assert score.overall.open_blockers == 0  # nobody flagged a go-live blocker yet
    assert score.overall.blocking_not_done == 2  # its two items of blocker severity
    assert score.overall.unsigned_mandatory == 2


def test_everything_done_and_signed_is_ready(project, members):
    review = make_review(project)
    for item in review.items.all():
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    score = review_score(review)
    assert (score.state, score.percent) == (State.READY, 100)
    assert all(s.rag == "green" for s in score.sections)


def test_one_flagged_go_live_blocker_makes_it_not_ready_whatever_the_percentage(project, members):
    review = make_review(project)
    items = list(review.items.order_by("key"))
    for item in items:
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    flagged = items[1]  # an optional item the team finds is a blocker after all
    review_item_update(
        item=flagged, acting_user=members[Role.FACILITATOR], version=flagged.version + 1,
        status=ItemStatus.AT_RISK, is_blocker=True, blocker_reason="The bank changed its format",
    )  # fmt: skip
    score = review_score(review)
    assert score.percent == 83  # 5 of 6
    assert score.state == State.NOT_READY
    assert score.overall.open_blockers == 1
    assert score.overall.blocking_not_done == 0


def test_done_but_unsigned_mandatory_item_is_not_ready(project, members):
    review = make_review(project)
    for item in review.items.all():
        if item.mandatory:
            review_item_update(
                item=item, acting_user=members[Role.FACILITATOR], version=1, status="done"
            )
        else:
            finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    score = review_score(review)
    assert score.overall.open_blockers == 0
    assert score.overall.unsigned_mandatory == 2
    assert score.state == State.NOT_READY


def test_accepted_risk_gives_ready_with_risks(project, members):
    review = make_review(project)
    items = list(review.items.order_by("key"))
    for item in items[:-1]:
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    finish(
        items[-1],
        members[Role.FACILITATOR],
        members[Role.APPROVER],
        status=ItemStatus.ACCEPTED_RISK,
    )
    score = review_score(review)
    assert score.state == State.READY_WITH_RISKS
    assert score.overall.accepted_risks == 1


def test_not_applicable_items_leave_the_denominator(project, members):
    review = make_review(project)
    items = list(review.items.order_by("key"))
    for item in items[:3]:
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    for item in items[3:]:
        review_item_update(
            item=item,
            acting_user=members[Role.FACILITATOR],
            version=item.version,
            status="not_applicable",
        )
    score = review_score(review)
    assert score.overall.applicable == 3
    assert score.percent == 100
    assert score.state == State.READY


def test_superseded_signoff_no_longer_counts(project, members):
    review = make_review(project)
    for item in review.items.all():
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    assert review_score(review).state == State.READY
    item = review.items.get(key="item-0-0")
    review_item_update(
        item=item,
        acting_user=members[Role.FACILITATOR],
        version=item.version,
        response="Re-tested.",
    )
    score = review_score(review)
    assert score.state == State.NOT_READY
    assert score.overall.unsigned_mandatory == 1
    assert item.signoffs.filter(superseded_at__isnull=False).count() == 1


def test_rejection_blocks_signed_state(project, members):
    review = make_review(project)
    item = review.items.get(key="item-0-1")
    finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    from tests.factories import MembershipFactory, UserFactory

    second = UserFactory()
    MembershipFactory(
        project=project, user=second, role=Role.APPROVER, signoff_roles=["business_owner"]
    )
    item_sign_off(item=item, acting_user=second, decision="reject", comment="Evidence missing")
    score = review_score(review)
    assert score.overall.complete == 0


def test_cached_scores_follow_every_change(project, members):
    """Scores are cached by fingerprint; an edit or a sign-off gives a fresh one."""
    from reviews.selectors.scores import scores_for_reviews

    review = make_review(project)
    assert scores_for_reviews([review])[review.pk].state == State.NOT_READY
    for item in review.items.exclude(key="item-1-0"):
        finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    mandatory = review.items.get(key="item-1-0")
    last = review_item_update(
        item=mandatory, acting_user=members[Role.FACILITATOR], version=1, status="done"
    )
    assert scores_for_reviews([review])[review.pk].state == State.NOT_READY  # not signed yet
    item_sign_off(item=last, acting_user=members[Role.APPROVER], decision="approve")
    assert scores_for_reviews([review])[review.pk].state == State.READY
    item_sign_off_revoke(item=last, acting_user=members[Role.APPROVER])
    assert scores_for_reviews([review])[review.pk].state == State.NOT_READY


def test_the_review_page_shares_the_cached_score(project, members, monkeypatch):
    """The review page reads its readiness panel from the score cache, under the key the
    other pages use: a score the page cached is found by ``scores_for_reviews`` without
    computing it, and the page finds one they cached. A change gives a fresh score."""
    from reviews.selectors import scores
    from reviews.selectors.items import review_items
    from reviews.selectors.scores import cached_score_of_loaded, scores_for_reviews

    review = make_review(project)
    sections = list(review.sections.order_by("order"))

    def page_score():
        return cached_score_of_loaded(review, sections, review_items(review, sections=sections))

    first = page_score()
    computed = []
    real = scores._compute_scores
    monkeypatch.setattr(scores, "_compute_scores", lambda ids: computed.append(ids) or real(ids))
    assert scores_for_reviews([review])[review.pk].percent == first.percent
    assert computed == []  # the page's entry was found

    item = review.items.exclude(mandatory=True).first()
    finish(item, members[Role.FACILITATOR], members[Role.APPROVER])
    fresh = scores_for_reviews([review])[review.pk]  # computed by the other pages, and cached
    assert computed
    assert fresh.percent > first.percent
    monkeypatch.setattr(scores, "review_score", lambda *a: pytest.fail("computed again"))
    assert page_score().percent == fresh.percent
