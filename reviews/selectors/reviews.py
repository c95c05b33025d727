"""Reads for review pages, scoped to the user and shaped so query counts stay flat."""

import datetime
from dataclasses import dataclass, fields

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import Membership, Role
from reviews.models import (
    ItemEvidence,
    ItemStatus,
    Review,
    ReviewItem,
    ReviewSection,
    SignOff,
    SignoffRole,
)
from reviews.scoring import score_review, signoff_state
from reviews.selectors.projects import project_get_for_user, projects_for_user


def review_get_for_user(user, project_pk, review_pk):
    project = project_get_for_user(user, project_pk)
    review = get_object_or_404(
        Review.objects.select_related("facilitator", "created_by"), project=project, pk=review_pk
    )
    review.project = project  # keeps the remembered role
    return review


def item_get_for_user(user, project_pk, review_pk, item_pk):
    review = review_get_for_user(user, project_pk, review_pk)
    item = get_object_or_404(
        ReviewItem.objects.select_related("section", "owner", "updated_by"),
        review=review,
        pk=item_pk,
    )
    item.review = review
    return item


def reviews_of_project(project):
    return list(
        Review.objects.filter(project=project)
        .select_related("facilitator")
        .annotate(item_count=Count("items"))
        .order_by("-scheduled_date", "-created_at")
    )


@dataclass(slots=True)
class SignOffRow:
    """A sign-off as list pages read it: the SignOff fields, without a model instance per row.

    The review page shows hundreds of sign-offs; building them from value tuples
    halves the time spent loading them. Writes and the item page use the model.
    """

    id: int
    item_id: int
    signer_id: int
    as_role: str
    decision: str
    comment: str
    created_at: datetime.datetime
    item_version: int
    superseded_at: datetime.datetime | None
    signer: object = None


SIGNOFF_ROW_FIELDS = [f.name for f in fields(SignOffRow) if f.name != "signer"]


def _signoff_rows(queryset):
    """Sign-offs of ``queryset`` as SignOffRow lists by item id, in creation order."""
    rows = {}
    for values in queryset.order_by("created_at", "pk").values_list(*SIGNOFF_ROW_FIELDS):
        row = SignOffRow(*values)
        rows.setdefault(row.item_id, []).append(row)
    return rows


def review_items(review, *, sections=None, users=None):
    """All items of a review with owner, section and sign-offs, in checklist order.

    Two queries when the caller passes the review's ``sections`` and the project's
    ``users`` (by id); one more for each it does not pass.
    """
    items = list(
        ReviewItem.objects.filter(review=review)
        .annotate(risk_count=Count("risks", distinct=True))
        .order_by("section__order", "order", "key")
    )
    if sections is None:
        sections = list(review.sections.all())
    rows = _signoff_rows(SignOff.objects.filter(item__review=review))
    for item in items:
        item.signoff_list = rows.get(item.pk, [])
    _attach_users(items, users or {})
    section_by_id = {section.pk: section for section in sections}
    for item in items:
        item.review = review
        item.section = section_by_id[item.section_id]
        item.signoff = signoff_state(item, item.signoff_list)
    return items


def _attach_users(items, users):
    """Set owners and signers from ``users`` (id -> User); load the others in one query."""
    from accounts.models import User

    wanted = {item.owner_id for item in items if item.owner_id}
    wanted |= {record.signer_id for item in items for record in item.signoff_list}
    missing = wanted - set(users)
    if missing:
        users = {**users, **User.objects.in_bulk(missing)}
    for item in items:
        item.owner = users.get(item.owner_id) if item.owner_id else None
        for record in item.signoff_list:
            record.signer = users[record.signer_id]


def decorate_items(user, items):
    """Per-row links and what ``user`` may do, computed once here instead of in the template."""
    base = {}
    for item in items:
        project = item.review.project
        if item.review_id not in base:
            base[item.review_id] = f"{item.review.get_absolute_url()}items/"
        item.url = f"{base[item.review_id]}{item.pk}/"  # = reviews:item_detail
        item.quick_add_url = (
            f"/projects/{project.pk}/items/{item.pk}/risks/quick-add/"  # risks:quick_add
        )
        item.may_raise_risk = permissions.can_raise_risk(user, project)
        item.may_edit = permissions.can_edit_item(user, item)
        item.may_sign = permissions.can_sign_off(user, item)
        item.my_signoff = next((s for s in item.signoff.current if s.signer_id == user.pk), None)
    return items


def review_score(review, sections=None, items=None):
    sections = sections if sections is not None else list(review.sections.order_by("order"))
    items = items if items is not None else review_items(review)
    return score_review(sections, items, {item.pk: item.signoff for item in items})


def _awaited_people(memberships):
    """Stakeholder role -> names of the members who hold it, for "still awaited" hints."""
    holders = {}
    approvers = []
    for membership in memberships:
        for role in membership.signoff_roles or []:
            holders.setdefault(role, []).append(membership.user)
        if membership.role == Role.PROJECT_MANAGER:
            holders.setdefault("project_manager", []).append(membership.user)
        if membership.role == Role.APPROVER:
            approvers.append(membership.user)
    return holders, approvers


def annotate_awaited(items, memberships):
    holders, approvers = _awaited_people(memberships)
    labels = dict(SignoffRole.choices)
    for item in items:
        item.awaited = [
            {
                "role": role,
                "label": labels.get(role, "Any approver"),
                "people": holders.get(role) or approvers,
            }
            for role in item.signoff.awaited_roles
        ]


ITEM_FILTERS = ("status", "owner", "blocker", "awaiting", "section")


def filter_items(items, user, params):
    """Filter already-loaded items by the review page's query parameters."""
    status = params.get("status")
    owner = params.get("owner")
    section = params.get("section")
    if status:
        items = [item for item in items if item.status == status]
    if owner == "me":
        items = [item for item in items if item.owner_id == user.pk]
    elif owner == "none":
        items = [item for item in items if item.owner_id is None]
    elif owner and owner.isdigit():
        items = [item for item in items if item.owner_id == int(owner)]
    if params.get("blocker") == "1":
        items = [item for item in items if item.is_open_blocker]
    if section:
        items = [item for item in items if item.section.key == section]
    if params.get("awaiting") == "me":
        items = [item for item in items if is_awaiting(user, item)]
    return items


# Items are put up for sign-off once the team calls them done (or accepts the risk).
AWAITING_SIGNOFF_STATUSES = (ItemStatus.DONE, ItemStatus.ACCEPTED_RISK)


def is_awaiting(user, item):
    """Whether ``user`` could fill one of the item's awaited sign-off slots and has not signed."""
    if item.status not in AWAITING_SIGNOFF_STATUSES or not item.signoff.awaited_roles:
        return False
    if any(s.signer_id == user.pk for s in item.signoff.current):
        return False
    return bool(permissions.eligible_signoff_roles(user, item) & set(item.signoff.awaited_roles))


def _remember_signoff_roles(project, user, memberships):
    for membership in memberships:
        if membership.user_id == user.pk:
            project.__dict__.setdefault("_signoff_roles_cache", {})[user.pk] = frozenset(
                membership.signoff_roles or ()
            )


def review_page(user, review, params):
    """Everything the review page shows (a fixed number of queries whatever the item count)."""
    sections = list(review.sections.order_by("order"))
    memberships = list(
        Membership.objects.filter(project=review.project)
        .select_related("user")
        .order_by("user__full_name")
    )
    _remember_signoff_roles(review.project, user, memberships)
    items = review_items(review, sections=sections, users={m.user_id: m.user for m in memberships})
    annotate_awaited(items, memberships)
    score = review_score(review, sections, items)
    shown = decorate_items(user, filter_items(items, user, params))
    by_section = {section.pk: [] for section in sections}
    for item in shown:
        by_section[item.section_id].append(item)
    return {
        "sections": [
            (section, by_section[section.pk]) for section in sections if by_section[section.pk]
        ],
        "score": score,
        "items_shown": len(shown),
        "items_total": len(items),
        "members": [m.user for m in memberships],
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


def item_detail(user, item):
    """An item with its history, evidence and sign-offs, decorated for ``user``."""
    item.signoff_list = list(item.signoffs.select_related("signer").order_by("created_at", "pk"))
    item.signoff = signoff_state(item, item.signoff_list)
    history = list(item.changes.select_related("user").order_by("-version", "-pk"))
    evidence = list(
        ItemEvidence.objects.filter(item=item, removed_at__isnull=True).select_related("added_by")
    )
    memberships = list(
        Membership.objects.filter(project=item.review.project_id).select_related("user")
    )
    annotate_awaited([item], memberships)
    decorate_items(user, [item])
    from risks.selectors import item_risks

    return {
        "risks": item_risks(item),
        "history": history,
        "evidence": evidence,
        "members": [m.user for m in memberships],
    }


def evidence_get_for_user(user, project_pk, evidence_pk):
    project = project_get_for_user(user, project_pk)
    return get_object_or_404(
        ItemEvidence.objects.select_related("item__review"),
        item__review__project=project,
        pk=evidence_pk,
        removed_at__isnull=True,
    )


def items_awaiting_signoff(user):
    """Items across the user's projects that wait for this user's sign-off."""
    projects = {p.pk: p for p in projects_for_user(user).exclude(my_role=Role.VIEWER)}
    if not projects:
        return []
    held = dict(
        Membership.objects.filter(user=user, project__in=projects).values_list(
            "project_id", "signoff_roles"
        )
    )
    for project in projects.values():
        permissions.remember_role(project, user, project.my_role)
        project.__dict__.setdefault("_signoff_roles_cache", {})[user.pk] = frozenset(
            held.get(project.pk) or ()
        )
    # Leave out in SQL the items on which my latest standing record is an approval or rejection.
    my_latest = (
        SignOff.objects.filter(item=OuterRef("pk"), signer=user, superseded_at__isnull=True)
        .order_by("-created_at", "-pk")
        .values("decision")[:1]
    )
    candidates = list(
        ReviewItem.objects.filter(review__project__in=projects)
        .exclude(review__status=Review.Status.COMPLETE)
        .filter(status__in=AWAITING_SIGNOFF_STATUSES)
        .annotate(my_latest=Subquery(my_latest))
        .filter(Q(my_latest__isnull=True) | Q(my_latest=SignOff.Decision.REVOKE))
        .select_related("review")
        .order_by("review__project__name", "review_id", "section__order", "order")
    )
    rows = _signoff_rows(SignOff.objects.filter(item__in=[item.pk for item in candidates]))
    waiting = []
    for item in candidates:
        item.review.project = projects[item.review.project_id]
        item.signoff_list = rows.get(item.pk, [])
        item.signoff = signoff_state(item, item.signoff_list)
        if is_awaiting(user, item):
            waiting.append(item)
    return waiting


def _score_fingerprints(ids):
    """What a review's score depends on, in two aggregate queries: item count and versions
    (every saved change of an item bumps its version), sign-off count and newest id."""
    prints = {review_id: [0, 0, 0, 0] for review_id in ids}
    for row in (
        ReviewItem.objects.filter(review__in=ids)
        .values("review_id")
        .annotate(n=Count("id"), versions=Sum("version"))
    ):
        prints[row["review_id"]][:2] = [row["n"], row["versions"]]
    for row in (
        SignOff.objects.filter(item__review__in=ids)
        .values("item__review_id")
        .annotate(n=Count("id"), newest=Max("id"))
    ):
        prints[row["item__review_id"]][2:] = [row["n"], row["newest"]]
    return {review_id: "-".join(map(str, values)) for review_id, values in prints.items()}


SCORE_CACHE_SECONDS = 24 * 3600


def scores_for_reviews(reviews):
    """ReviewScore per review id for many reviews at once.

    Scores are cached under a fingerprint of what they are computed from, so pages that
    show many reviews (home, project trend) load items only for reviews that changed:
    two aggregate queries when every score is cached, three more otherwise.
    """
    reviews = list(reviews)
    if not reviews:
        return {}
    ids = [review.pk for review in reviews]
    keys = {
        review_id: f"review-score:v1:{review_id}:{fingerprint}"
        for review_id, fingerprint in _score_fingerprints(ids).items()
    }
    cached = cache.get_many(keys.values())
    scores = {review_id: cached[key] for review_id, key in keys.items() if key in cached}
    missing = [review_id for review_id in ids if review_id not in scores]
    if missing:
        computed = _compute_scores(missing)
        cache.set_many({keys[rid]: score for rid, score in computed.items()}, SCORE_CACHE_SECONDS)
        scores.update(computed)
    return scores


def _compute_scores(ids):
    sections = {}
    for section in ReviewSection.objects.filter(review__in=ids).order_by("order"):
        sections.setdefault(section.review_id, []).append(section)
    rows = _signoff_rows(SignOff.objects.filter(item__review__in=ids))
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


def project_reviews_with_trend(project):
    """The project's reviews, newest first, each with its score (for the trend)."""
    reviews = reviews_of_project(project)
    scores = scores_for_reviews(reviews)
    for review in reviews:
        review.score = scores[review.pk]
    return reviews


def latest_review_scores(projects):
    """Attach ``latest_review`` (with ``score``) to each project; constant queries."""
    from django.db.models import OuterRef, Subquery

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
