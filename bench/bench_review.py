"""Review page at 85 items with 3 sign-offs each, beside the bare-Django floor page.

Run: .venv/bin/python bench/bench_review.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def seed_review(items=85, approvers=3):
    from projects.models import Membership, Role
    from reviews.models import ReviewItem, ReviewItemChange, SignOff
    from tests.factories import (
        MembershipFactory,
        ProjectFactory,
        UserFactory,
        make_review,
        make_template,
    )

    project = ProjectFactory()
    facilitator = UserFactory()
    Membership.objects.create(project=project, user=facilitator, role=Role.FACILITATOR)
    signers = []
    for _ in range(approvers):
        user = UserFactory()
        MembershipFactory(project=project, user=user, role=Role.APPROVER)
        signers.append(user)
    template = make_template(sections=5, items_per_section=items // 5)
    review = make_review(project, template=template, acting_user=facilitator)
    all_items = list(review.items.all())
    ReviewItem.objects.filter(review=review).update(
        status="done",
        owner=facilitator,
        response="Evidence attached and reviewed by the test lead. " * 3,
    )
    SignOff.objects.bulk_create(
        SignOff(
            item=item, signer=signer, decision="approve", item_version=1, as_role="business_owner"
        )
        for item in all_items
        for signer in signers
    )
    ReviewItemChange.objects.bulk_create(
        ReviewItemChange(
            item=item, user=facilitator, version=2, changes={"status": ["Not started", "Done"]}
        )
        for item in all_items
    )
    return review, signers[0]


def main():
    common.setup()
    from django.test import Client

    review, viewer = seed_review()
    client = Client()
    client.force_login(viewer)
    row = common.measure_page(client, review.get_absolute_url())
    print(f"Review page, {review.items.count()} items x 3 sign-offs")
    print(common.HEADER)
    print(common.format_row("review", row))
    return row


if __name__ == "__main__":
    main()
