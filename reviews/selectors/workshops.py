"""Reads for workshops and workshop mode."""

from django.db.models import Count, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from discussions.models import SubjectKind
from discussions.selectors import open_question_count, thread_panel
from projects.selectors import member_users, memberships_of_project
from reviews.models import ItemStatus, ReviewItem, SignOff, Workshop
from reviews.scoring import signoff_state
from reviews.selectors.items import annotate_awaited, decorate_items, item_subject


def workshop_get(access, review_pk, workshop_pk):
    """A workshop of a review of the viewer's project (else 404), with its review and project."""
    return get_object_or_404(
        Workshop.objects.select_related(
            "review__project", "facilitator", "minutes_updated_by", "cancelled_by"
        ),
        review__project=access.project,
        review_id=review_pk,
        pk=workshop_pk,
    )


def workshops_of_review(review):
    return list(
        Workshop.objects.filter(review=review)
        .select_related("facilitator")
        .annotate(
            invited=Count("attendees"),
            present=Count("attendees", filter=Q(attendees__attended=True)),
        )
        .order_by("-starts_at")
    )


def workshop_item_view(access, review, item_pk=None, workshop_pk=None):
    """One item in large type, with its position, neighbours, section prompts and sign-offs.

    A fixed number of queries whatever the number of items. (The item's findings panel
    is a fragment of the risks app, loaded by the page.)
    """
    order = list(
        ReviewItem.objects.filter(review=review)
        .annotate(open_questions=open_question_count(SubjectKind.ITEM, OuterRef("pk")))
        .order_by("section__order", "order", "key")
        .values_list("pk", "status", "to_reconfirm", "open_questions")
    )
    ids = [pk for pk, *_ in order]
    answered = sum(1 for _, status, *_ in order if status != ItemStatus.NOT_STARTED)
    context = {
        "item": None,
        "to_reconfirm": sum(1 for _, _, unconfirmed, _ in order if unconfirmed),
        "review_open_questions": sum(questions for *_, questions in order),
        "position": 0,
        "total": len(ids),
        "answered": answered,
        "percent_answered": round(100 * answered / len(ids)) if ids else 0,
        "previous_id": None,
        "next_id": None,
    }
    workshops = list(Workshop.objects.filter(review=review).order_by("-starts_at")[:20])
    for workshop in workshops:
        workshop.review = review  # the minutes form's link reads it: no query
    chosen = next((w for w in workshops if str(w.pk) == str(workshop_pk)), None)
    context["workshops"] = workshops
    context["workshop"] = chosen or (workshops[0] if workshops else None)
    if not ids:
        return context
    try:
        wanted = int(item_pk) if item_pk else None
    except (TypeError, ValueError):
        wanted = None
    if wanted not in ids:
        wanted = next(
            (pk for pk, status, *_ in order if status == ItemStatus.NOT_STARTED),
            next((pk for pk, _, unconfirmed, _ in order if unconfirmed), ids[0]),
        )
    index = ids.index(wanted)
    item = (
        ReviewItem.objects.filter(pk=wanted)
        .select_related("section", "owner")
        .prefetch_related(Prefetch("signoffs", SignOff.objects.select_related("signer")))
        .get()
    )
    item.review = review
    memberships = list(memberships_of_project(review.project_id))
    members = [m.user for m in memberships if m.user.is_active]
    # One item: its sign-offs come from the prefetch, then the same decoration as the review page.
    item.signoff_list = sorted(item.signoffs.all(), key=lambda s: (s.created_at, s.pk))
    item.signoff = signoff_state(item, item.signoff_list)
    annotate_awaited([item], memberships)
    decorate_items(access, [item])
    context.update(
        {
            "item": item,
            "position": index + 1,
            "previous_id": ids[index - 1] if index > 0 else None,
            "next_id": ids[index + 1] if index + 1 < len(ids) else None,
            # The form checks a posted owner against this queryset; the page lists the
            # owner choices from the members already loaded.
            "members_qs": member_users(review.project),
            "owner_choices": sorted(members, key=lambda user: (user.full_name, user.pk)),
            # The item's questions, big, so the room reads them and the facilitator answers.
            "questions": thread_panel(
                access,
                item_subject(access, item.pk, item=item),
                workshop=True,
                members=members,
            ),
        }
    )
    return context


UPCOMING_WORKSHOPS = 5


def upcoming_workshops(user, *, limit=UPCOMING_WORKSHOPS):
    """The next workshops the user facilitates or is invited to, in their projects, not
    cancelled (one query)."""
    return list(
        Workshop.objects.filter(
            review__project__memberships__user=user,
            starts_at__gte=timezone.now(),
            cancelled_at__isnull=True,
        )
        .filter(Q(facilitator=user) | Q(attendees__user=user))
        .select_related("review__project")
        .distinct()
        .order_by("starts_at")[:limit]
    )
