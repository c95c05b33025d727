"""The demo's past go / no-go decision for `manage.py seed_demo` (see ``projects.demo``).

The story: six weeks ago the early review found the original go-live date (two weeks from
today) not feasible; both approvers voted no-go, and the project manager recorded a no-go
that moved the date to where it stands now. The decision, its votes and the re-plan are
dated that day.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from decisions.models import Decision, Outcome, Vote
from decisions.services import decision_open, decision_record, vote_cast
from projects.models import GoLiveDateChange, Project
from reviews.demo import EARLY_REVIEW_TITLE

ORIGINAL_GO_LIVE_IN = datetime.timedelta(days=16)
DECIDED_AGO = datetime.timedelta(weeks=6)


@transaction.atomic
def seed_decisions(seeded):
    """The early review ended in a no-go that re-planned the go-live date."""
    people = seeded["people"]
    project = seeded["project"]
    facilitator = people["facilitator@demo.example.com"]
    approvers = [people["approver@demo.example.com"], people["approver2@demo.example.com"]]
    early = seeded["reviews"][EARLY_REVIEW_TITLE]
    if Decision.objects.filter(review=early).exists():
        return
    planned_now = project.go_live_date
    Project.objects.filter(pk=project.pk).update(
        go_live_date=timezone.localdate() + ORIGINAL_GO_LIVE_IN
    )
    project.refresh_from_db()
    decision = decision_open(review=early, acting_user=facilitator)
    for approver in approvers:
        vote_cast(
            decision=decision,
            acting_user=approver,
            choice=Vote.Choice.NO_GO,
            comment="Migration does not fit.",
        )
    decision = decision_record(
        decision=decision,
        acting_user=people["pm@demo.example.com"],
        outcome=Outcome.NO_GO,
        rationale="Data migration and cutover are not rehearsed; the original date is not feasible.",
        what_must_change=(
            "Three timed dry runs inside the window and a mock cutover before the next review."
        ),
        new_go_live_date=planned_now,
    )
    # Dated the day of the early workshop, as it happened.
    then = timezone.now() - DECIDED_AGO
    snapshot = {**decision.snapshot, "taken_at": then.isoformat()}
    Decision.objects.filter(pk=decision.pk).update(
        created_at=then, recorded_at=then, snapshot=snapshot,
        vote_opened_notified_at=then, recorded_notified_at=then,
    )  # fmt: skip
    Vote.objects.filter(decision=decision).update(created_at=then)
    GoLiveDateChange.objects.filter(pk=decision.go_live_change_id).update(created_at=then)
