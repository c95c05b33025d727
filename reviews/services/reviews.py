"""Creating and updating readiness reviews."""

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Membership
from projects.services import require_member
from reviews.models import ItemEvidence, Review, ReviewItem, ReviewItemChange, ReviewSection

# What carrying a review forward copies of each item whose key the template still has.
CARRIED_FIELDS = ("status", "response", "owner_id", "due_date", "is_blocker", "blocker_reason")


@transaction.atomic
def review_create(
    *, project, template, acting_user, title, scheduled_date=None, facilitator=None,
    carry_from=None,
):  # fmt: skip
    """Create a review and copy into it the template items that apply to the project's scopes.

    The copy (sections and items) belongs to the review, so a later edit or a new
    version of the template never rewrites a past review. With ``carry_from`` (a previous
    review of the project) the answers are carried forward: see ``_carry_forward``.
    """
    if facilitator is not None:
        require_member(
            project=project, user=facilitator, field="facilitator", purpose="facilitate it"
        )
    if carry_from is not None and carry_from.project_id != project.pk:
        raise ValidationError({"carry_from": "Start from a review of this project."})
    template_items = [
        item
        for item in template.items.select_related("section").order_by(
            "section__order", "order", "key"
        )
        if item.applies_to(project.scopes)
    ]
    previous = {}
    if carry_from is not None:
        previous = {
            item.key: item
            for item in ReviewItem.objects.filter(review=carry_from).order_by(
                "section__order", "order", "key"
            )
        }
    kept = {item.key for item in template_items}
    review = Review.objects.create(
        project=project,
        template=template,
        template_name=template.name,
        template_version=template.version,
        title=title,
        scheduled_date=scheduled_date,
        facilitator=facilitator,
        created_by=acting_user,
        carried_from=carry_from,
        removed_since_carried=[
            {"key": key, "title": item.title} for key, item in previous.items() if key not in kept
        ],
    )
    used_sections = {item.section for item in template_items}
    sections = ReviewSection.objects.bulk_create(
        ReviewSection(
            review=review,
            key=section.key,
            title=section.title,
            order=section.order,
            purpose=section.purpose,
            expected_outcome=section.expected_outcome,
            key_questions=section.key_questions,
            red_flags=section.red_flags,
        )
        for section in sorted(used_sections, key=lambda s: (s.order, s.key))
    )
    section_by_key = {section.key: section for section in sections}
    items = ReviewItem.objects.bulk_create(
        ReviewItem(
            review=review,
            section=section_by_key[item.section.key],
            key=item.key,
            title=item.title,
            description=item.description,
            severity=item.severity,
            mandatory=item.mandatory,
            signoff_roles=item.signoff_roles,
            order=index,
            updated_by=acting_user,
        )
        for index, item in enumerate(template_items)
    )
    if carry_from is not None:
        _carry_forward(review=review, items=items, previous=previous, acting_user=acting_user)
    return review


def _carry_forward(*, review, items, previous, acting_user):
    """Copy the answers of the previous review into the new review's ``items`` (just created,
    with their ids) whose key it had: status, response, owner (while still a member), due
    date, blocker flag and reason, and the evidence still shown. Each copied item is marked
    "to re-confirm"; sign-offs are never copied (they are given again). Items new in the
    template stay blank. A fixed number of queries whatever the number of items.
    """
    members = set(
        Membership.objects.filter(project_id=review.project_id).values_list("user_id", flat=True)
    )
    carried = []
    for item in items:
        before = previous.get(item.key)
        if before is None:
            continue
        for name in CARRIED_FIELDS:
            setattr(item, name, getattr(before, name))
        if item.owner_id not in members:
            item.owner_id = None
        item.to_reconfirm = True
        item.carried_from_pk = before.pk
        carried.append(item)
    if not carried:
        return
    ReviewItem.objects.bulk_update(carried, [*CARRIED_FIELDS, "to_reconfirm"])
    new_item_of = {item.carried_from_pk: item for item in carried}
    # Uploaded files are shared with the previous review's evidence, not copied: evidence is
    # never deleted (removal only hides it) and deleting a row leaves its file in storage.
    ItemEvidence.objects.bulk_create(
        ItemEvidence(
            item=new_item_of[evidence.item_id],
            url=evidence.url,
            file=evidence.file.name,
            title=evidence.title,
            size=evidence.size,
            content_type=evidence.content_type,
            valid_until=evidence.valid_until,
            added_by_id=evidence.added_by_id,
            created_at=evidence.created_at,
        )
        for evidence in ItemEvidence.objects.filter(
            item_id__in=list(new_item_of), removed_at__isnull=True
        ).order_by("created_at", "pk")
    )
    note = f"Carried forward from “{review.carried_from.title}”: to re-confirm."[:300]
    ReviewItemChange.objects.bulk_create(
        ReviewItemChange(item=item, user=acting_user, version=item.version, changes={}, note=note)
        for item in carried
    )


REVIEW_FIELDS = ("title", "scheduled_date", "status", "facilitator")


@transaction.atomic
def review_update(*, review, acting_user, **fields):
    if fields.get("facilitator") is not None:
        require_member(
            project=review.project, user=fields["facilitator"], field="facilitator",
            purpose="facilitate it",
        )  # fmt: skip
    for name in REVIEW_FIELDS:
        if name in fields:
            setattr(review, name, fields[name])
    review.full_clean(exclude=["template", "created_by", "project"])
    review.save()
    return review
