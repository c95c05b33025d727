"""The demo's past go / no-go decision for `manage.py seed_demo` (see ``projects.demo``)."""

from django.db import transaction

from decisions.models import Decision, Outcome, Vote
from decisions.services import decision_open, decision_record, vote_cast
from reviews.demo import EARLY_REVIEW_TITLE


@transaction.atomic
def seed_decisions(seeded):
    """The early review ended in a no-go, both approvers voting no-go."""
    people = seeded["people"]
    facilitator = people["facilitator@demo.example.com"]
    approvers = [people["approver@demo.example.com"], people["approver2@demo.example.com"]]
    early = seeded["reviews"][EARLY_REVIEW_TITLE]
    if Decision.objects.filter(review=early).exists():
        return
    decision = decision_open(review=early, acting_user=facilitator)
    for approver in approvers:
        vote_cast(
            decision=decision,
            acting_user=approver,
            choice=Vote.Choice.NO_GO,
            comment="Migration does not fit.",
        )
    decision_record(
        decision=decision,
        acting_user=people["pm@demo.example.com"],
        outcome=Outcome.NO_GO,
        rationale="Data migration and cutover are not rehearsed; the original date is not feasible.",
        what_must_change=(
            "Three timed dry runs inside the window and a mock cutover before the next review."
        ),
        new_go_live_date=seeded["project"].go_live_date,
    )
