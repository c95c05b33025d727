"""The demo's past go / no-go decision and the criteria the team agreed since, for
`manage.py seed_demo` (see ``projects.demo``).

The story: six weeks ago the early review found the original go-live date (two weeks from
today) not feasible; both approvers voted no-go, and the project manager recorded a no-go
that moved the date to where it stands now. The decision, its votes and the re-plan are
dated that day.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from decisions.models import (
    Attestation,
    CriterionKind,
    Decision,
    GateCriterion,
    GateCriterionChange,
    Outcome,
    Vote,
)
from decisions.services import decision_open, decision_record, vote_cast
from decisions.services_criteria import gate_criterion_attest, gate_criterion_create
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
    seed_criteria(seeded)
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


@transaction.atomic
def seed_criteria(seeded):
    """Two thresholds and two attested values the team agreed after the no-go: the UAT
    defects attested this week, the data reconciliation three weeks ago (stale: missing)."""
    project = seeded["project"]
    if GateCriterion.objects.filter(project=project).exclude(kind=CriterionKind.BUILTIN).exists():
        return
    people = seeded["people"]
    pm = people["pm@demo.example.com"]
    for metric, comparator, target in (("open_high_risks", "lte", 2), ("open_actions", "lte", 10)):
        gate_criterion_create(
            project=project, acting_user=pm, kind=CriterionKind.THRESHOLD, metric=metric,
            comparator=comparator, target=target,
        )  # fmt: skip
    uat = gate_criterion_create(
        project=project, acting_user=pm, kind=CriterionKind.ATTESTED,
        label="Severity-1 UAT defects open", comparator="eq", target=0, max_age_days=7,
    )  # fmt: skip
    gate_criterion_attest(
        criterion=uat, acting_user=people["approver@demo.example.com"], value=0,
        evidence="UAT defect log, filter “Sev-1 open”, reviewed at the weekly UAT call.",
    )  # fmt: skip
    reconciliation = gate_criterion_create(
        project=project, acting_user=pm, kind=CriterionKind.ATTESTED,
        label="Unreconciled open-item balances (EUR thousands)", comparator="lte", target=5,
        max_age_days=14,
    )  # fmt: skip
    attested = gate_criterion_attest(
        criterion=reconciliation, acting_user=people["facilitator@demo.example.com"], value=3,
        evidence="Mock load 2 reconciliation workbook.",
    )  # fmt: skip
    three_weeks_ago = timezone.now() - datetime.timedelta(days=21)
    Attestation.objects.filter(pk=attested.pk).update(attested_at=three_weeks_ago)
    GateCriterionChange.objects.filter(project=project, note__startswith="attested").filter(
        criterion_label__startswith="Unreconciled"
    ).update(created_at=three_weeks_ago)
