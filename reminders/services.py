"""The follow-up reminders sweep: one digest e-mail per person per day, each reminder once.

What a person is reminded of (per project, unless the project manager paused reminders):

- mitigation actions they own that are due within the project's N days ("due-3d") or
  overdue ("overdue"); in the last two weeks before go-live, every day ("daily-<date>");
- as project manager, actions overdue for M days or more ("escalated-5d");
- review items waiting for their sign-off, while the review's go / no-go vote is open
  ("decision-<id>") or the go-live date is within N days;
- as project manager or approver, a conditional go that reverted to no-go because a
  condition missed its date ("missed"); the sweep runs that revert first.

Exactly once: each reminder is a ``Reminder`` row under a unique constraint, recorded in
the same transaction that claims the person's ``ReminderDigest`` of the day (unique per
person and date). The mail goes out after the commit, and ``sent_at`` is set once it
went. A concurrent sweep finds the digest claimed and records nothing; a digest whose
send failed is released and claimed again by the next sweep (or the retried task); one
whose sweep died mid-send is claimed again once its claim is older than CLAIM_LEASE.
A sweep after downtime sends whatever is not recorded yet, so nothing is lost.

The sweep reads in a fixed number of queries whatever the number of actions; it writes
in bulk, and marks digests sent in batches (``reminders.digests``).
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from decisions.models import Decision, DecisionCondition
from decisions.services import decisions_revert_missed_conditions
from projects.models import Membership, Project, Role
from projects.permissions import ProjectAccess
from reminders.digests import DigestSendError, send_digests
from reminders.models import Reminder, ReminderDigest, ReminderKind
from reviews.models import SIGNOFF_STATUSES, Review, ReviewItem, SignOff
from reviews.scoring import signoff_state
from reviews.selectors.items import is_awaiting
from risks.models import OPEN_ACTION_STATUSES, MitigationAction

logger = logging.getLogger(__name__)

# Reminders about actions and sign-offs come every day in the last two weeks before go-live.
DAILY_WINDOW_DAYS = 14
# A claimed digest that is still unsent after this long belongs to a sweep that died.
# Longer than the task time limit, so a live sweep never loses its claim.
CLAIM_LEASE = datetime.timedelta(minutes=10)
# Reverted decisions are told in digests for this long after the revert (catch-up window).
MISSED_CONDITION_LOOKBACK = datetime.timedelta(days=14)


@dataclass(frozen=True)
class PlannedReminder:
    recipient_id: int
    kind: str
    threshold: str
    project_id: int
    action_id: int | None = None
    item_id: int | None = None
    condition_id: int | None = None

    @property
    def key(self):
        return (
            self.recipient_id, self.kind, self.action_id, self.item_id, self.condition_id,
            self.threshold,
        )  # fmt: skip


@dataclass
class PlannedDigest:
    """What one person would be told today, and why it may be held back."""

    recipient: User
    reminders: list = field(default_factory=list)
    held: str = ""  # empty: due now


@dataclass
class SweepResult:
    today: datetime.date
    planned: list = field(default_factory=list)  # PlannedDigest, every recipient
    digests_sent: int = 0
    reminders_recorded: int = 0
    failed: list = field(default_factory=list)  # e-mails whose digest waits for the next sweep
    refused: list = field(default_factory=list)  # e-mails whose digest the relay refused for good
    reverted: list = field(default_factory=list)  # decisions reverted by this sweep

    @property
    def held(self):
        return [digest for digest in self.planned if digest.held]


# --- What is due ---------------------------------------------------------------------------


def _in_daily_window(project, today):
    if project.go_live_date is None:
        return False
    return 0 <= (project.go_live_date - today).days <= DAILY_WINDOW_DAYS


def _action_reminders(projects, members, managers, today):
    horizon = today + datetime.timedelta(
        days=max(project.reminder_due_soon_days for project in projects.values())
    )
    actions = MitigationAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        due_date__lte=horizon,
        risk__project__reminders_paused=False,
    ).values_list("pk", "owner_id", "due_date", "risk__project_id")
    planned = []
    for action_id, owner_id, due_date, project_id in actions:
        project = projects.get(project_id)
        if project is None:  # created since the projects were read: the next sweep has it
            continue
        daily = f"daily-{today.isoformat()}" if _in_daily_window(project, today) else ""
        late = (today - due_date).days
        kind = None
        if late > 0:
            kind, threshold = ReminderKind.ACTION_OVERDUE, daily or "overdue"
        elif -late <= project.reminder_due_soon_days:
            kind = ReminderKind.ACTION_DUE_SOON
            threshold = daily or f"due-{project.reminder_due_soon_days}d"
        if kind and owner_id in members[project_id]:  # owners who left wait for reassignment
            planned.append(PlannedReminder(owner_id, kind, threshold, project_id, action_id))
        if late > 0 and late >= project.escalation_after_days:
            escalated = f"escalated-{project.escalation_after_days}d"
            planned.extend(
                PlannedReminder(
                    manager, ReminderKind.ACTION_ESCALATED, escalated, project_id, action_id
                )
                for manager in managers[project_id]
            )
    recorded_filter = Q(action__status__in=OPEN_ACTION_STATUSES, action__due_date__lte=horizon)
    return planned, recorded_filter


def _signoff_reminders(projects, members, today):
    soon = [
        project.pk
        for project in projects.values()
        if project.go_live_date
        and 0 <= (project.go_live_date - today).days <= project.reminder_due_soon_days
    ]
    open_votes = dict(
        Decision.objects.filter(
            status=Decision.Status.OPEN, review__project__reminders_paused=False
        ).values_list("review_id", "pk")
    )
    if not soon and not open_votes:
        return [], None
    reviews = dict(
        Review.objects.filter(Q(project_id__in=soon) | Q(pk__in=list(open_votes)))
        .filter(project__reminders_paused=False)
        .exclude(status=Review.Status.COMPLETE)
        .values_list("pk", "project_id")
    )
    signoffs = SignOff.objects.only(
        "item_id", "signer_id", "as_role", "decision", "superseded_at", "created_at"
    ).order_by("created_at", "pk")
    items = (
        ReviewItem.objects.filter(review_id__in=list(reviews), status__in=SIGNOFF_STATUSES)
        .only("pk", "review_id", "owner_id", "status", "signoff_roles")
        .prefetch_related(Prefetch("signoffs", queryset=signoffs, to_attr="signoff_list"))
    )
    # Each member's access, built from the memberships loaded once: is_awaiting() then
    # costs no query.
    reviews = {pk: pid for pk, pid in reviews.items() if pid in projects}
    accesses = {
        project_id: {
            user_id: ProjectAccess(
                user=User(pk=user_id),
                project=projects[project_id],
                role=role,
                stakeholder_roles=frozenset(signoff_roles or ()),
            )
            for user_id, (role, signoff_roles) in members[project_id].items()
        }
        for project_id in {*reviews.values()}
    }
    review_objects = {pk: Review(pk=pk, project=projects[pid]) for pk, pid in reviews.items()}
    planned = []
    for item in items:
        item.review = review_objects[item.review_id]
        project = item.review.project
        item.signoff = signoff_state(item, item.signoff_list)
        if not item.signoff.awaited_roles:
            continue
        if _in_daily_window(project, today):
            threshold = f"daily-{today.isoformat()}"
        elif item.review_id in open_votes:
            threshold = f"decision-{open_votes[item.review_id]}"
        else:
            threshold = f"golive-{project.go_live_date.isoformat()}"
        for user_id, access in accesses[project.pk].items():
            if access.role == Role.VIEWER or not is_awaiting(access, item):
                continue
            planned.append(
                PlannedReminder(
                    user_id, ReminderKind.SIGNOFF_AWAITED, threshold, project.pk, item_id=item.pk
                )
            )
    recorded_filter = Q(item__review_id__in=list(reviews), item__status__in=SIGNOFF_STATUSES)
    return planned, recorded_filter


def _condition_reminders(members, now):
    since = now - MISSED_CONDITION_LOOKBACK
    missed = DecisionCondition.objects.filter(
        missed_at__gte=since, decision__review__project__reminders_paused=False
    ).values_list("pk", "decision__review__project_id")
    planned = [
        PlannedReminder(
            user_id, ReminderKind.CONDITION_MISSED, "missed", project_id, condition_id=condition_id
        )
        for condition_id, project_id in missed
        for user_id, (role, _) in members.get(project_id, {}).items()
        if role in (Role.PROJECT_MANAGER, Role.APPROVER)
    ]
    return planned, Q(condition__missed_at__gte=since)


def reminders_due(*, now):
    """Every reminder that is due at ``now`` and not recorded yet, by recipient id."""
    today = timezone.localdate(now)
    projects = {
        project.pk: project
        for project in Project.objects.filter(reminders_paused=False).only(
            "pk", "name", "go_live_date", "reminder_due_soon_days", "escalation_after_days"
        )
    }
    if not projects:
        return {}
    members = {project_id: {} for project_id in projects}
    managers = {project_id: [] for project_id in projects}
    for project_id, user_id, role, signoff_roles in Membership.objects.filter(
        project__reminders_paused=False
    ).values_list("project_id", "user_id", "role", "signoff_roles"):
        members[project_id][user_id] = (role, signoff_roles)
        if role == Role.PROJECT_MANAGER:
            managers[project_id].append(user_id)
    planned, recorded_filters = [], []
    for part, recorded_filter in (
        _action_reminders(projects, members, managers, today),
        _signoff_reminders(projects, members, today),
        _condition_reminders(members, now),
    ):
        planned.extend(part)
        if recorded_filter is not None and part:
            recorded_filters.append(recorded_filter)
    recorded = set()
    for recorded_filter in recorded_filters:
        recorded.update(
            Reminder.objects.filter(recorded_filter).values_list(
                "recipient_id", "kind", "action_id", "item_id", "condition_id", "threshold"
            )
        )
    due = {}
    for reminder in planned:
        if reminder.key not in recorded:
            recorded.add(reminder.key)  # the same reminder planned twice counts once
            due.setdefault(reminder.recipient_id, []).append(reminder)
    return due


def reminders_plan(*, now=None):
    """Who would get a digest at ``now``, with what, and who is held back and why."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hour = timezone.localtime(now).hour
    due = reminders_due(now=now)
    stale = _stale_unsent(now)
    recipients = set(due) | set(stale)
    if not recipients:
        return []
    done_today = dict(
        ReminderDigest.objects.filter(recipient_id__in=recipients, date=today)
        .filter(Q(sent_at__isnull=False) | Q(failed_at__isnull=False))
        .values_list("recipient_id", "sent_at")
    )
    users = User.objects.filter(pk__in=recipients).only(
        "pk", "email", "full_name", "is_active", "digest_enabled", "digest_hour"
    )
    plan = []
    for user in sorted(users, key=lambda u: (u.full_name.lower(), u.email)):
        digest = PlannedDigest(recipient=user, reminders=due.get(user.pk, []))
        if not user.is_active:
            digest.held = "account inactive"
        elif not user.digest_enabled:
            digest.held = "digests turned off"
        elif hour < user.digest_hour:
            digest.held = f"waits for the digest hour ({user.digest_hour:02d}:00)"
        elif user.pk in done_today:
            digest.held = (
                "today's digest already sent; these go tomorrow"
                if done_today[user.pk]
                else "today's digest was refused by the mail relay; these go tomorrow"
            )
        plan.append(digest)
    return plan


def _stale_unsent(now):
    """Recipient id -> ids of their claimed-but-unsent digests that nobody holds any more."""
    stale = {}
    for recipient_id, digest_id in ReminderDigest.objects.filter(
        Q(claim_token="") | Q(claimed_at__lt=now - CLAIM_LEASE),
        sent_at__isnull=True,
        failed_at__isnull=True,
    ).values_list("recipient_id", "pk"):
        stale.setdefault(recipient_id, []).append(digest_id)
    return stale


# --- The sweep -----------------------------------------------------------------------------


def reminders_sweep(*, now=None, dry_run=False):
    """Run the sweep at ``now`` (default: the current time). Call it outside a transaction:
    it commits its claims before it sends. ``dry_run`` only plans: nothing is reverted,
    recorded or sent. Raises DigestSendError (an SMTPException) when some digests could not
    be sent for a passing reason, after releasing them for the next sweep; digests the relay
    refused for good are in ``result.refused`` (and the admin), not raised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult(today=today)
    if not dry_run:
        result.reverted = decisions_revert_missed_conditions(today=today)
    result.planned = reminders_plan(now=now)
    if dry_run:
        return result
    ready = {digest.recipient.pk: digest for digest in result.planned if not digest.held}
    if not ready:
        return result
    claimed, result.reminders_recorded = _claim_and_record(ready, now=now, today=today)
    if claimed:
        result.digests_sent, result.failed, result.refused = send_digests(claimed, now=now)
    logger.info(
        "Reminder sweep %s: %s digest(s) sent, %s reminder(s) recorded, %s held, %s failed, "
        "%s refused for good",
        today, result.digests_sent, result.reminders_recorded, len(result.held), len(result.failed),
        len(result.refused),
    )  # fmt: skip
    if result.failed:
        raise DigestSendError(
            f"{len(result.failed)} digest(s) not sent; the next sweep sends them: "
            + ", ".join(result.failed[:5])
        )
    return result


@transaction.atomic
def _claim_and_record(ready, *, now, today):
    """Claim today's digest of each ready person and record their reminders under it.

    Returns ({recipient id: digest id} claimed by this sweep, reminders in those digests).
    """
    token = uuid.uuid4().hex
    recipient_ids = sorted(ready)  # one order for every sweep: concurrent inserts never deadlock
    ReminderDigest.objects.bulk_create(
        [
            ReminderDigest(recipient_id=pk, date=today, claim_token=token, claimed_at=now)
            for pk in recipient_ids
        ],
        ignore_conflicts=True,
    )
    # Today's digests nobody holds (a failed send, a sweep that died) are claimed again.
    ReminderDigest.objects.filter(
        Q(claim_token="") | Q(claimed_at__lt=now - CLAIM_LEASE),
        recipient_id__in=recipient_ids,
        date=today,
        sent_at__isnull=True,
        failed_at__isnull=True,
    ).update(claim_token=token, claimed_at=now)
    mine = dict(ReminderDigest.objects.filter(claim_token=token).values_list("recipient_id", "pk"))
    if not mine:
        return {}, 0
    # Reminders of earlier days' digests that never went out move into today's.
    stale_before = now - CLAIM_LEASE
    earlier = Q(
        digest__sent_at__isnull=True, digest__failed_at__isnull=True, digest__date__lt=today
    ) & (Q(digest__claim_token="") | Q(digest__claimed_at__lt=stale_before))
    todays_digest = ReminderDigest.objects.filter(
        recipient_id=OuterRef("recipient_id"), date=today
    ).values("pk")[:1]
    if Reminder.objects.filter(earlier, recipient_id__in=list(mine)).update(
        digest_id=Subquery(todays_digest), sent_on=today
    ):
        ReminderDigest.objects.filter(
            recipient_id__in=list(mine),
            date__lt=today,
            sent_at__isnull=True,
            failed_at__isnull=True,
            reminders=None,
        ).delete()
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient_id=reminder.recipient_id,
                kind=reminder.kind,
                threshold=reminder.threshold,
                action_id=reminder.action_id,
                item_id=reminder.item_id,
                condition_id=reminder.condition_id,
                sent_on=today,
                digest_id=mine[recipient_id],
                created_at=now,
            )
            for recipient_id in mine
            for reminder in ready[recipient_id].reminders
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    count = (
        Reminder.objects.filter(digest_id=OuterRef("pk"))
        .order_by()
        .values("digest_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ReminderDigest.objects.filter(claim_token=token).update(item_count=Coalesce(Subquery(count), 0))
    counts = dict(ReminderDigest.objects.filter(claim_token=token).values_list("pk", "item_count"))
    if 0 in counts.values():  # everything in it was told already (a race lost to a sweep)
        ReminderDigest.objects.filter(claim_token=token, item_count=0).delete()
    return {r: d for r, d in mine.items() if counts.get(d)}, sum(counts.values())
