"""What is due: every reminder the sweep would record at a moment and has not recorded yet.

Reminders about mitigation actions, the bulk (tens of thousands), are querysets: the sweep
inserts them with one INSERT ... SELECT each and they never pass through Python. The few
about sign-offs (whose rules live in Python: ``signoff_state``, ``is_awaiting``) and missed
conditions are planned in Python. The dry run reads both into ``PlannedDigest`` objects.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, DateField, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from accounts.models import User
from decisions.models import Decision, DecisionCondition
from notifications.models import Delivery, Notification
from projects.models import Membership, Project, Role
from projects.permissions import ProjectAccess
from reminders.models import Reminder, ReminderDigest, ReminderKind
from reviews.models import SIGNOFF_STATUSES, Review, ReviewItem, SignOff
from reviews.scoring import signoff_state
from reviews.selectors.items import is_awaiting
from risks.models import OPEN_ACTION_STATUSES, AcceptanceExpiryNotice, MitigationAction

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
    # Findings reopened because their acceptance expired (values of AcceptanceExpiryNotice).
    expiry_notices: list = field(default_factory=list)
    # Notifications the person wants in the digest (values of Notification).
    notifications: list = field(default_factory=list)


@dataclass
class Due:
    """The reminders due at ``now`` and not recorded yet.

    ``actions`` are querysets of MitigationAction annotated with ``reminder_recipient``,
    ``reminder_kind`` and ``reminder_threshold`` (one row per reminder); ``others`` the
    PlannedReminder list of sign-offs and missed conditions.
    """

    now: datetime.datetime
    actions: tuple = ()
    others: list = field(default_factory=list)

    @property
    def today(self):
        return timezone.localdate(self.now)

    def recipients(self):
        """The people with something due, or with an unsent digest nobody holds: a
        queryset of users, evaluated in the database."""
        condition = Q(pk__in=_stale_unsent(self.now).values("recipient_id"))
        for actions in self.actions:
            condition |= Q(pk__in=actions.values("reminder_recipient"))
        if self.others:
            condition |= Q(pk__in={reminder.recipient_id for reminder in self.others})
        for untold in UNTOLD:
            condition |= Q(pk__in=untold().values("recipient_id"))
        return User.objects.filter(condition)


def untold_expiry_notices():
    """Findings reopened because their acceptance expired, not yet put in anyone's digest
    (``risks.services.risk_acceptances_expire`` records them; the sweep tells them once)."""
    return AcceptanceExpiryNotice.objects.filter(
        digest_id__isnull=True, risk__project__reminders_paused=False
    )


def untold_notifications():
    """Notifications their recipients want in the daily digest, not put in one yet and not
    read under the bell meanwhile (each goes in one digest: ``notifications.services.notify``
    makes them)."""
    return Notification.objects.filter(
        delivery=Delivery.DIGEST, digest_id__isnull=True, read_at__isnull=True,
        project__isnull=False,
    )  # fmt: skip


# What a digest tells besides reminders, each once: (the model, its rows not told yet).
UNTOLD_NOTICES = (
    (AcceptanceExpiryNotice, untold_expiry_notices),
    (Notification, untold_notifications),
)
UNTOLD = tuple(untold for _model, untold in UNTOLD_NOTICES)


def ready_to_receive(now, prefix=""):
    """People whose digest may go at ``now``: active, digests on, their hour has come
    (``prefix`` "recipient__" says it of a digest's recipient)."""
    return Q(
        **{
            f"{prefix}is_active": True,
            f"{prefix}digest_enabled": True,
            f"{prefix}digest_hour__lte": timezone.localtime(now).hour,
        }
    )


def _stale_unsent(now):
    """Digests claimed but unsent that nobody holds any more (not those refused for good)."""
    return ReminderDigest.objects.filter(
        Q(claim_token="") | Q(claimed_at__lt=now - CLAIM_LEASE),
        sent_at__isnull=True,
        failed_at__isnull=True,
    )


# --- Actions: querysets ---------------------------------------------------------------------


def _not_recorded(actions):
    return actions.filter(
        ~Exists(
            Reminder.objects.filter(
                recipient_id=OuterRef("reminder_recipient"),
                kind=OuterRef("reminder_kind"),
                action_id=OuterRef("pk"),
                threshold=OuterRef("reminder_threshold"),
            )
        )
    )


def _action_reminders(projects, today):
    """(owners' reminders, project managers' escalations) as querysets, one row each.

    The projects' own settings (N days "due soon", M days before escalating) enter as CASE
    branches over their distinct values, so the dates are compared in the database.
    """
    if not projects:
        return ()
    soon_days = sorted({project.reminder_due_soon_days for project in projects})
    escalation_days = sorted({project.escalation_after_days for project in projects})
    in_daily_window = Q(
        risk__project__go_live_date__gte=today,
        risk__project__go_live_date__lte=today + datetime.timedelta(days=DAILY_WINDOW_DAYS),
    )
    daily = Value(f"daily-{today.isoformat()}")
    overdue = Q(due_date__lt=today)
    open_actions = MitigationAction.objects.order_by().filter(
        status__in=OPEN_ACTION_STATUSES,
        risk__project__reminders_paused=False,
        due_date__lte=today + datetime.timedelta(days=max(soon_days)),
    )
    owned = (
        open_actions.alias(
            soon_until=Case(
                *(
                    When(
                        risk__project__reminder_due_soon_days=days,
                        then=Value(today + datetime.timedelta(days=days)),
                    )
                    for days in soon_days
                ),
                output_field=DateField(),
            )
        )
        .filter(overdue | Q(due_date__lte=F("soon_until")))
        # Owners who left the project wait for the project manager to reassign the action.
        .filter(
            Exists(
                Membership.objects.filter(
                    project_id=OuterRef("risk__project_id"), user_id=OuterRef("owner_id")
                )
            )
        )
        .annotate(
            reminder_recipient=F("owner_id"),
            reminder_kind=Case(
                When(overdue, then=Value(ReminderKind.ACTION_OVERDUE)),
                default=Value(ReminderKind.ACTION_DUE_SOON),
            ),
            reminder_threshold=Case(
                When(in_daily_window, then=daily),
                When(overdue, then=Value("overdue")),
                *(
                    When(risk__project__reminder_due_soon_days=days, then=Value(f"due-{days}d"))
                    for days in soon_days
                ),
            ),
        )
    )
    escalated = (
        open_actions.filter(overdue)
        .alias(
            escalate_until=Case(
                *(
                    When(
                        risk__project__escalation_after_days=days,
                        then=Value(today - datetime.timedelta(days=days)),
                    )
                    for days in escalation_days
                ),
                output_field=DateField(),
            )
        )
        .filter(
            due_date__lte=F("escalate_until"),
            risk__project__memberships__role=Role.PROJECT_MANAGER,
        )
        .annotate(
            reminder_recipient=F("risk__project__memberships__user_id"),
            reminder_kind=Value(ReminderKind.ACTION_ESCALATED),
            reminder_threshold=Case(
                *(
                    When(
                        risk__project__escalation_after_days=days, then=Value(f"escalated-{days}d")
                    )
                    for days in escalation_days
                )
            ),
        )
    )
    return (_not_recorded(owned), _not_recorded(escalated))


# --- Sign-offs and missed conditions: in Python (few) -------------------------------------


def _in_daily_window(project, today):
    if project.go_live_date is None:
        return False
    return 0 <= (project.go_live_date - today).days <= DAILY_WINDOW_DAYS


def _members(project_ids):
    """Project id -> {user id: (role, stakeholder roles)} of the given projects."""
    members = {project_id: {} for project_id in project_ids}
    for project_id, user_id, role, signoff_roles in Membership.objects.filter(
        project_id__in=list(project_ids)
    ).values_list("project_id", "user_id", "role", "signoff_roles"):
        members[project_id][user_id] = (role, signoff_roles)
    return members


def _signoff_reminders(projects, today):
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
    # Each member's access, built from the memberships of these projects loaded once:
    # is_awaiting() then costs no query.
    reviews = {pk: pid for pk, pid in reviews.items() if pid in projects}
    members = _members({*reviews.values()})
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


def _condition_reminders(now):
    since = now - MISSED_CONDITION_LOOKBACK
    missed = DecisionCondition.objects.filter(
        missed_at__gte=since,
        decision__review__project__reminders_paused=False,
        decision__review__project__memberships__role__in=[Role.PROJECT_MANAGER, Role.APPROVER],
    ).values_list(
        "pk", "decision__review__project_id", "decision__review__project__memberships__user_id"
    )
    return [
        PlannedReminder(
            user_id, ReminderKind.CONDITION_MISSED, "missed", project_id, condition_id=condition_id
        )
        for condition_id, project_id, user_id in missed
    ], Q(condition__missed_at__gte=since)


def _recorded(planned, recorded_filter):
    """The keys of the planned reminders already recorded."""
    if not planned:
        return set()
    return set(
        Reminder.objects.filter(recorded_filter).values_list(
            "recipient_id", "kind", "action_id", "item_id", "condition_id", "threshold"
        )
    )


def reminders_due(*, now):
    """Every reminder due at ``now`` and not recorded yet (a ``Due``)."""
    today = timezone.localdate(now)
    projects = {
        project.pk: project
        for project in Project.objects.filter(reminders_paused=False).only(
            "pk", "name", "go_live_date", "reminder_due_soon_days", "escalation_after_days"
        )
    }
    others = []
    for planned, recorded_filter in (
        _signoff_reminders(projects, today),
        _condition_reminders(now),
    ):
        recorded = _recorded(planned, recorded_filter)
        for reminder in planned:
            if reminder.key not in recorded:
                recorded.add(reminder.key)  # the same reminder planned twice counts once
                others.append(reminder)
    return Due(now=now, actions=_action_reminders(list(projects.values()), today), others=others)


def reminders_plan(*, now=None):
    """Who would get a digest at ``now``, with what, and who is held back and why (the dry
    run: this reads every due reminder into Python, which the sweep itself never does)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hour = timezone.localtime(now).hour
    due = reminders_due(now=now)
    by_recipient = {}
    for reminder in due.others:
        by_recipient.setdefault(reminder.recipient_id, []).append(reminder)
    for actions in due.actions:
        for recipient_id, kind, threshold, action_id, project_id in actions.values_list(
            "reminder_recipient", "reminder_kind", "reminder_threshold", "pk", "risk__project_id"
        ).iterator(chunk_size=2000):
            by_recipient.setdefault(recipient_id, []).append(
                PlannedReminder(recipient_id, kind, threshold, project_id, action_id=action_id)
            )
    notices = {}
    for row in untold_expiry_notices().values(
        "recipient_id", "risk_id", "risk__title", "risk__number", "risk__project_id", "expired_on"
    ):
        notices.setdefault(row["recipient_id"], []).append(row)
    told = {}
    for row in untold_notifications().values(
        "recipient_id", "kind", "title", "url", "project_id", "created_at", "pk"
    ):
        told.setdefault(row["recipient_id"], []).append(row)
    users = due.recipients().only(
        "pk", "email", "full_name", "is_active", "digest_enabled", "digest_hour"
    )
    done_today = dict(
        ReminderDigest.objects.filter(recipient__in=users, date=today)
        .filter(Q(sent_at__isnull=False) | Q(failed_at__isnull=False))
        .values_list("recipient_id", "sent_at")
    )
    plan = []
    for user in sorted(users, key=lambda u: (u.full_name.lower(), u.email)):
        digest = PlannedDigest(
            recipient=user,
            reminders=by_recipient.get(user.pk, []),
            expiry_notices=notices.get(user.pk, []),
            notifications=told.get(user.pk, []),
        )
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
