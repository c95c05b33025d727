"""The follow-up reminders sweep: one digest e-mail per person per day, each reminder once.

What a person is reminded of (per project, unless the project manager paused reminders;
``reminders.due`` says it precisely):

- mitigation actions they own that are due within the project's N days ("due-3d") or
  overdue ("overdue"); in the last two weeks before go-live, every day ("daily-<date>");
- as project manager, actions overdue for M days or more ("escalated-5d");
- review items waiting for their sign-off, while the review's go / no-go vote is open
  ("decision-<id>") or the go-live date is within N days;
- as project manager or approver, a conditional go that reverted to no-go because a
  condition missed its date ("missed"); the sweep runs that revert first.

Exactly once: each reminder is a ``Reminder`` row under a unique constraint, recorded in
the same transaction that claims the person's ``ReminderDigest`` of the day (unique per
person and date). The mail goes out after the commit, and each digest is marked sent in
its own transaction as soon as the relay accepted it. A concurrent sweep finds the digest
claimed and records nothing; a digest whose send failed for a passing reason is released
and claimed again by the next sweep (or the retried task); one whose sweep died mid-send
is claimed again once its claim is older than CLAIM_LEASE, so at most the one digest the
dead sweep was sending, accepted by the relay but not yet marked, goes twice. A digest
the relay refused for good is marked failed and never retried. A sweep after downtime
sends whatever is not recorded yet, so nothing is lost.

Set-based: the sweep claims and records in a fixed number of statements whatever the
number of actions (INSERT ... SELECT: the rows never pass through Python), then sends
the digests reading them a chunk at a time, so its memory does not grow with the data.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.sql import insert_from_select
from decisions.services import decisions_revert_missed_conditions
from reminders.digests import DigestSendError, send_digests
from reminders.due import (
    CLAIM_LEASE,
    UNTOLD_NOTICES,
    _stale_unsent,
    ready_to_receive,
    reminders_due,
    reminders_plan,
)
from reminders.models import Reminder, ReminderDigest

__all__ = ["CLAIM_LEASE", "SweepResult", "reminders_due", "reminders_plan", "reminders_sweep"]

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    today: datetime.date
    planned: list = field(default_factory=list)  # PlannedDigest of every recipient (dry run)
    held: int = 0  # people with something due whose digest waits (hour, preferences, sent)
    digests_sent: int = 0
    reminders_recorded: int = 0
    failed: list = field(default_factory=list)  # e-mails whose digest waits for the next sweep
    refused: list = field(default_factory=list)  # e-mails whose digest the relay refused for good
    reverted: list = field(default_factory=list)  # decisions reverted by this sweep


def reminders_sweep(*, now=None, dry_run=False):
    """Run the sweep at ``now`` (default: the current time). Call it outside a transaction:
    it commits its claims before it sends, and each digest's mark as it goes. ``dry_run``
    only plans: nothing is reverted, recorded or sent. Raises DigestSendError (an
    SMTPException) when some digests could not be sent for a passing reason, after
    releasing them for the next sweep; digests the relay refused for good are in
    ``result.refused`` (and the admin), not raised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult(today=today)
    if dry_run:
        result.planned = reminders_plan(now=now)
        result.held = sum(1 for digest in result.planned if digest.held)
        return result
    result.reverted = decisions_revert_missed_conditions(today=today)
    token, claimed, result.reminders_recorded, result.held = _claim_and_record(now=now)
    if claimed:
        result.digests_sent, result.failed, result.refused = send_digests(token, now=now)
    logger.info(
        "Reminder sweep %s: %s digest(s) sent, %s reminder(s) recorded, %s held, %s failed, "
        "%s refused for good",
        today, result.digests_sent, result.reminders_recorded, result.held, len(result.failed),
        len(result.refused),
    )  # fmt: skip
    if result.failed:
        raise DigestSendError(
            f"{len(result.failed)} digest(s) not sent; the next sweep sends them: "
            + ", ".join(result.failed[:5])
        )
    return result


@transaction.atomic
def _claim_and_record(*, now):
    """Claim today's digest of each person who has something due and may receive it now,
    and record their reminders under it, set-based.

    Returns (the claim token, digests claimed by this sweep, reminders in them, people
    held back).
    """
    today = timezone.localdate(now)
    token = uuid.uuid4().hex
    due = reminders_due(now=now)
    ready = due.recipients().filter(ready_to_receive(now))
    # One order for every sweep: concurrent inserts never deadlock.
    claimed = insert_from_select(
        ReminderDigest,
        ready.order_by("pk"),
        {
            "recipient_id": F("pk"), "date": Value(today), "claim_token": Value(token),
            "claimed_at": Value(now), "item_count": Value(0), "attempts": Value(0),
            "last_error": Value(""), "created_at": Value(now),
        },
        ignore_conflicts=True,
    )  # fmt: skip
    # Today's digests nobody holds (a failed send, a sweep that died) are claimed again.
    claimed += (
        _stale_unsent(now)
        .filter(ready_to_receive(now, "recipient__"), date=today)
        .update(claim_token=token, claimed_at=now)
    )
    if not claimed:  # the usual hourly sweep: nobody new is due
        return token, 0, 0, due.recipients().count()
    mine = ReminderDigest.objects.filter(claim_token=token)
    # Reminders of earlier days' digests that never went out move into today's.
    earlier = Reminder.objects.filter(
        digest__in=_stale_unsent(now).filter(date__lt=today),
        recipient_id__in=mine.values("recipient_id"),
    )
    todays_digest = mine.filter(recipient_id=OuterRef("recipient_id")).values("pk")[:1]
    # Notices (expired risk acceptances, notifications wanted in the digest): those of
    # earlier unsent digests move into today's, and the ones nobody was told yet join it
    # (each told once: a notice belongs to one digest).
    moved_notices = 0
    for model, untold in UNTOLD_NOTICES:
        moved_notices += model.objects.filter(
            Q(digest_id__in=_stale_unsent(now).filter(date__lt=today).values("pk"))
            | Q(pk__in=untold().values("pk")),
            recipient_id__in=mine.values("recipient_id"),
        ).update(digest_id=Subquery(todays_digest))
    if earlier.update(digest_id=Subquery(todays_digest), sent_on=today) or moved_notices:
        _stale_unsent(now).filter(
            date__lt=today, recipient_id__in=mine.values("recipient_id"), reminders=None
        ).delete()
    for actions in due.actions:
        # The unique (recipient, date) index finds each row's digest.
        digest = mine.filter(recipient_id=OuterRef("reminder_recipient"), date=today)
        insert_from_select(
            Reminder,
            actions.annotate(reminder_digest=Subquery(digest.values("pk"))).filter(
                reminder_digest__isnull=False
            ),
            {
                "recipient_id": F("reminder_recipient"), "kind": F("reminder_kind"),
                "threshold": F("reminder_threshold"), "action_id": F("pk"),
                "sent_on": Value(today), "digest_id": F("reminder_digest"),
                "created_at": Value(now),
            },
            ignore_conflicts=True,
        )  # fmt: skip
    if due.others:
        digest_of = dict(
            mine.filter(
                recipient_id__in={reminder.recipient_id for reminder in due.others}
            ).values_list("recipient_id", "pk")
        )
        Reminder.objects.bulk_create(
            [
                Reminder(
                    recipient_id=reminder.recipient_id, kind=reminder.kind,
                    threshold=reminder.threshold, item_id=reminder.item_id,
                    condition_id=reminder.condition_id, sent_on=today,
                    digest_id=digest_of[reminder.recipient_id], created_at=now,
                )
                for reminder in due.others
                if reminder.recipient_id in digest_of
            ],
            ignore_conflicts=True,
        )  # fmt: skip
    count = (
        Reminder.objects.filter(digest_id=OuterRef("pk"))
        .order_by()
        .values("digest_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    item_count = Coalesce(Subquery(count), 0)
    for model, _untold in UNTOLD_NOTICES:
        notices = (
            model.objects.filter(digest_id=OuterRef("pk"))
            .order_by()
            .values("digest_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        item_count += Coalesce(Subquery(notices), 0)
    mine.update(item_count=item_count)
    # Everything in it was told already (a race lost to another sweep): nothing to send.
    mine.filter(item_count=0).delete()
    totals = mine.aggregate(digests=Count("pk"), reminders=Sum("item_count"))
    # Whoever still has something due waits: for the digest hour, for preferences, or
    # because today's digest went (or was refused) already.
    held = due.recipients().exclude(pk__in=mine.values("recipient_id")).count()
    return token, totals["digests"], totals["reminders"] or 0, held
