"""Readiness scores of many reviews at once, cached under what they are computed from."""

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from core.cache import safe_cache
from reviews.models import Review, ReviewItem, ReviewSection, SignOff
from reviews.scoring import score_review, signoff_state
from reviews.selectors.items import review_items, signoff_rows


def review_score(review, sections=None, items=None):
    """The review's ReviewScore, from its sections and items when the caller has them."""
    sections = sections if sections is not None else list(review.sections.order_by("order"))
    items = items if items is not None else review_items(review)
    return score_review(sections, items, {item.pk: item.signoff for item in items})


def _score_fingerprints(ids):
    """What a review's score depends on, in two aggregate queries: item count, versions
    (every saved change of an item bumps its version, a confirmation too) and items still to
    re-confirm; sign-off count and newest id."""
    prints = {review_id: [0, 0, 0, 0, 0] for review_id in ids}
    for row in (
        ReviewItem.objects.filter(review__in=ids)
        .values("review_id")
        .annotate(
            n=Count("id"),
            versions=Sum("version"),
            unconfirmed=Count("id", filter=Q(to_reconfirm=True)),
        )
    ):
        prints[row["review_id"]][:3] = [row["n"], row["versions"], row["unconfirmed"]]
    for row in (
        SignOff.objects.filter(item__review__in=ids)
        .values("item__review_id")
        .annotate(n=Count("id"), newest=Max("id"))
    ):
        prints[row["item__review_id"]][3:] = [row["n"], row["newest"]]
    return {review_id: _score_key(review_id, *values) for review_id, values in prints.items()}


def _score_key(review_id, items, versions, unconfirmed, signoffs, newest_signoff):
    return (
        f"review-score:v4:{review_id}:{items}-{versions}-{unconfirmed}-{signoffs}-{newest_signoff}"
    )


SCORE_CACHE_SECONDS = 24 * 3600


def cached_score_of_loaded(review, sections, items):
    """The score of a review whose items (with ``signoff_list``) the page has loaded: the
    cached score under the same key as ``scores_for_reviews`` (its fingerprint taken from
    the loaded rows, so no query), computed from the rows and cached when missing."""
    signoff_ids = [record.id for item in items for record in item.signoff_list]
    key = _score_key(
        review.pk,
        len(items),
        sum(item.version for item in items),
        sum(1 for item in items if item.to_reconfirm),
        len(signoff_ids),
        max(signoff_ids, default=0),
    )
    score = safe_cache.get_many([key]).get(key)
    if score is None:
        score = review_score(review, sections, items)
        safe_cache.set_many({key: score}, SCORE_CACHE_SECONDS)
    return score


def scores_for_reviews(reviews):
    """ReviewScore per review id for many reviews at once.

    Scores are cached under a fingerprint of what they are computed from, so pages that
    show many reviews (home, project trend) load items only for reviews that changed:
    two aggregate queries when every score is cached, three more otherwise. With the cache
    down every score is computed (and the outage logged): slower, never an error.
    """
    reviews = list(reviews)
    if not reviews:
        return {}
    ids = [review.pk for review in reviews]
    keys = _score_fingerprints(ids)
    cached = safe_cache.get_many(keys.values())
    scores = {review_id: cached[key] for review_id, key in keys.items() if key in cached}
    missing = [review_id for review_id in ids if review_id not in scores]
    if missing:
        computed = _compute_scores(missing)
        safe_cache.set_many(
            {keys[rid]: score for rid, score in computed.items()}, SCORE_CACHE_SECONDS
        )
        scores.update(computed)
    return scores


def _compute_scores(ids):
    sections = {}
    for section in ReviewSection.objects.filter(review__in=ids).order_by("order"):
        sections.setdefault(section.review_id, []).append(section)
    rows = signoff_rows(SignOff.objects.filter(item__review__in=ids))
    items = {}
    for item in ReviewItem.objects.filter(review__in=ids):
        item.signoff = signoff_state(item, rows.get(item.pk, []))
        items.setdefault(item.review_id, []).append(item)
    return {
        review_id: score_review(
            sections.get(review_id, []),
            items.get(review_id, []),
            {item.pk: item.signoff for item in items.get(review_id, [])},
        )
        for review_id in ids
    }


def latest_review_scores(projects):
    """Attach ``latest_review`` (with ``score``) to each project; constant queries."""
    projects = list(projects)
    newest = (
        Review.objects.filter(project=OuterRef("project")).order_by("-created_at").values("pk")[:1]
    )
    latest = list(Review.objects.filter(project__in=projects, pk=Subquery(newest)))
    scores = scores_for_reviews(latest)
    by_project = {review.project_id: review for review in latest}
    for project in projects:
        review = by_project.get(project.pk)
        if review is not None:
            review.score = scores[review.pk]
        project.latest_review = review
    return projects
