"""Reads for the review pages, scoped to the viewer and shaped so query counts stay flat."""

from django.shortcuts import get_object_or_404

from core.lists import bounded, counts_by
from projects.selectors import memberships_of_project
from reviews.models import Review, ReviewItem
from reviews.selectors.items import annotate_awaited, is_awaiting, review_items
from reviews.selectors.scores import cached_score_of_loaded, scores_for_reviews


def review_get(access, review_pk):
    """A review of the viewer's project (else 404), with its project and people.

    The project is the one the request's scope lookup already loaded (``access.project``):
    one query for the membership and its project per request, reused here.
    """
    review = get_object_or_404(
        Review.objects.select_related("facilitator", "created_by", "carried_from"),
        project=access.project,
        pk=review_pk,
    )
    review.project = access.project
    return review


def reviews_of_project_query(project):
    """The project's reviews, newest first (a queryset; ``with_item_counts`` on a slice)."""
    return (
        Review.objects.filter(project=project)
        .select_related("facilitator")
        .order_by("-scheduled_date", "-created_at", "-pk")
    )


def with_item_counts(reviews):
    """Set ``item_count`` on each of ``reviews`` (one GROUP BY over their items only)."""
    counts = counts_by(
        ReviewItem.objects.filter(review__in=[review.pk for review in reviews]), "review_id"
    )
    for review in reviews:
        review.item_count = counts.get(review.pk, 0)
    return reviews


def reviews_of_project(project):
    return with_item_counts(list(reviews_of_project_query(project)))


def with_scores(reviews):
    """Set ``score`` on each of ``reviews`` (from the score cache; see scores_for_reviews)."""
    scores = scores_for_reviews(reviews)
    for review in reviews:
        review.score = scores[review.pk]
    return reviews


def project_reviews_with_trend(project, *, limit):
    """The project's newest ``limit`` reviews, each with its score (for the trend), and how
    many reviews it has in all (a core.lists.Bounded)."""
    reviews = bounded(reviews_of_project_query(project), limit)
    for review in with_scores(reviews.rows):
        # A score counts every item of its review (its cache key carries the item count).
        review.item_count = review.score.overall.total
    return reviews


ITEM_FILTERS = (
    "status", "owner", "section", "open", "blocker", "blocking", "rejected", "awaiting",
    "reconfirm",
)  # fmt: skip


def is_open(item):
    """Still to do: applicable and not yet done (and re-confirmed) and signed off."""
    return item.is_applicable and not (item.counts_as_done and item.signoff.signed)


def filter_items(items, access, params):
    """Filter already-loaded items by the review page's query parameters."""
    status = params.get("status")
    owner = params.get("owner")
    section = params.get("section")
    if params.get("open") == "1":
        items = [item for item in items if is_open(item)]
    if status:
        items = [item for item in items if item.status == status]
    if owner == "me":
        items = [item for item in items if item.owner_id == access.user.pk]
    elif owner == "none":
        items = [item for item in items if item.owner_id is None]
    elif owner and owner.isdigit():
        items = [item for item in items if item.owner_id == int(owner)]
    if params.get("blocker") == "1":
        items = [item for item in items if item.is_open_blocker]
    if params.get("blocking") == "1":
        items = [item for item in items if item.is_blocking_not_done]
    if params.get("rejected") == "1":
        items = [item for item in items if item.signoff.rejections]
    if section:
        items = [item for item in items if item.section.key == section]
    if params.get("reconfirm") == "1":
        items = [item for item in items if item.to_reconfirm]
    if params.get("awaiting") == "me":
        items = [item for item in items if is_awaiting(access, item)]
    return items


def review_page(access, review, params):
    """Everything the review page shows (a fixed number of queries whatever the item count)."""
    sections = list(review.sections.order_by("order"))
    memberships = list(memberships_of_project(review.project_id, order=("user__full_name",)))
    items = review_items(review, sections=sections, users={m.user_id: m.user for m in memberships})
    annotate_awaited(items, memberships)
    score = cached_score_of_loaded(review, sections, items)
    shown = filter_items(items, access, params)
    by_section = {section.pk: [] for section in sections}
    for item in shown:
        by_section[item.section_id].append(item)
    section_scores = {entry.section.pk: entry for entry in score.sections}
    return {
        "sections": [
            (section, by_section[section.pk], section_scores[section.pk])
            for section in sections
            if by_section[section.pk]
        ],
        "score": score,
        "items_shown": len(shown),
        "items_total": len(items),
        "to_reconfirm": sum(1 for item in items if item.to_reconfirm),
        "members": [m.user for m in memberships],
        "memberships": memberships,
        "changes_since_previous": changes_since_previous(review, items),
    }


def changes_since_previous(review, items):
    """Items whose status moved since the project's previous review (matched by item key)."""
    previous = (
        Review.objects.filter(project=review.project_id, created_at__lt=review.created_at)
        .order_by("-created_at")
        .first()
    )
    if previous is None:
        return None
    before = dict(ReviewItem.objects.filter(review=previous).values_list("key", "status"))
    moved = [
        (item, before[item.key])
        for item in items
        if item.key in before and before[item.key] != item.status
    ]
    return {"previous": previous, "moved": moved}
