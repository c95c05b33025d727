"""Creating and updating readiness reviews."""

from django.db import transaction

from projects.services import require_member
from reviews.models import Review, ReviewItem, ReviewSection


@transaction.atomic
def review_create(*, project, template, acting_user, title, scheduled_date=None, facilitator=None):
    """Create a review and copy into it the template items that apply to the project's scopes.

    The copy (sections and items) belongs to the review, so a later edit or a new
    version of the template never rewrites a past review.
    """
    if facilitator is not None:
        require_member(
            project=project, user=facilitator, field="facilitator", purpose="facilitate it"
        )
    review = Review.objects.create(
        project=project,
        template=template,
        template_name=template.name,
        template_version=template.version,
        title=title,
        scheduled_date=scheduled_date,
        facilitator=facilitator,
        created_by=acting_user,
    )
    template_items = [
        item
        for item in template.items.select_related("section").order_by(
            "section__order", "order", "key"
        )
        if item.applies_to(project.scopes)
    ]
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
    ReviewItem.objects.bulk_create(
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
    return review


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
