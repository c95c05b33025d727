"""The digest e-mail of the reminders sweep: its lines, grouping, rendering and sending.

A digest is read back from the ``Reminder`` rows recorded under it (one query with the
objects' fields joined), so a digest claimed again after a failed send says the same.
"""

import contextlib
import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from core.http import UrlTemplate, absolute_url
from core.mail import is_permanent_refusal, mail_error_text
from decisions.models import DecisionCondition
from notifications.models import SHORT_LABELS, Notification
from projects.models import Project
from reminders.models import Reminder, ReminderDigest, ReminderKind
from reviews.models import ReviewItem
from risks.models import AcceptanceExpiryNotice, MitigationAction

logger = logging.getLogger(__name__)

# Digests read at once while sending: memory stays bounded by this many digests' lines.
DIGESTS_PER_READ = 500

# The order of a project's groups in a digest.
GROUPS = (
    ("reverted", "Conditional go reverted to no-go"),
    ("expired", "Risk acceptances expired"),
    ("overdue", "Overdue"),
    ("due_soon", "Due soon"),
    ("signoff", "Sign-offs awaited"),
    ("notified", "Notifications"),
)
GROUP_OF_KIND = {
    ReminderKind.CONDITION_MISSED: "reverted",
    ReminderKind.ACTION_OVERDUE: "overdue",
    ReminderKind.ACTION_ESCALATED: "overdue",
    ReminderKind.ACTION_DUE_SOON: "due_soon",
    ReminderKind.SIGNOFF_AWAITED: "signoff",
}


class DigestSendError(SMTPException):
    """Some digests could not be sent; they are released for the next sweep to send."""


class _Links:
    """Absolute page links built from one reverse() per URL name, not one per line."""

    def __init__(self):
        self.templates = {}

    def __call__(self, name, *args):
        if name not in self.templates:
            self.templates[name] = UrlTemplate(name, free=len(args), absolute=True)
        return self.templates[name].fill(*args)


REMINDER_FIELDS = (
    "digest_id", "recipient_id", "kind", "threshold",
    "action_id", "action__description", "action__due_date", "action__owner__full_name",
    "action__owner__email", "action__risk__title", "action__risk__project_id",
    "item_id", "item__title", "item__review_id", "item__review__title",
    "item__review__project_id",
    "condition_id", "condition__description", "condition__due_date",
    "condition__decision_id", "condition__decision__review__title",
    "condition__decision__review__project_id",
)  # fmt: skip


def short_date(value, *, weekday=False):
    """ "23 Nov" ("Mon 23 Nov"): formatted here once per line, not by a template filter
    thousands of times in a large sweep."""
    text = f"{value.day} {value:%b}"
    return f"{value:%a} {text}" if weekday else text


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def _line(row, today, links):
    """One line of a digest (a dict the e-mail templates read) from a reminder's values.

    ``detail`` says when, ``alert`` marks the late ones, ``escalated`` the project
    manager's copy of someone else's overdue action.
    """
    kind = row["kind"]
    line = {"kind": kind, "group": GROUP_OF_KIND[kind], "escalated": False, "alert": False}
    if row["action_id"]:
        project_id = row["action__risk__project_id"]
        due = row["action__due_date"]
        late = (today - due).days
        if kind == ReminderKind.ACTION_DUE_SOON:
            when = "today" if late == 0 else f"in {_plural(-late, 'day')}"
            detail = f"due {short_date(due, weekday=True)} ({when})"
        else:
            detail = f"due {short_date(due)}, {_plural(late, 'day')} late"
            line["alert"] = True
        if kind == ReminderKind.ACTION_ESCALATED:
            owner = row["action__owner__full_name"] or row["action__owner__email"]
            detail += f"; owner {owner}"
            line["escalated"] = True
        line.update(
            project_id=project_id,
            title=row["action__description"],
            context=f"Mitigation of “{row['action__risk__title']}”",
            detail=detail,
            url=links("risks:action_edit", project_id, row["action_id"]),
            sort=(due, row["action_id"]),
        )
    elif row["item_id"]:
        project_id = row["item__review__project_id"]
        line.update(
            project_id=project_id,
            title=row["item__title"],
            context=f"Checklist item of “{row['item__review__title']}”",
            detail="awaiting your sign-off",
            url=links("reviews:item_detail", project_id, row["item__review_id"], row["item_id"]),
            sort=(today, row["item__review_id"], row["item_id"]),
        )
    else:
        project_id = row["condition__decision__review__project_id"]
        due = row["condition__due_date"]
        line.update(
            project_id=project_id,
            title=row["condition__description"],
            context=f"Condition of the go decision on “{row['condition__decision__review__title']}”",
            detail=f"was due {short_date(due)}; the decision is now a no-go",
            alert=True,
            url=links("decisions:decision_detail", project_id, row["condition__decision_id"]),
            sort=(due, row["condition_id"]),
        )
    return line


NOTICE_FIELDS = ("digest_id", "risk_id", "risk__title", "risk__number", "risk__project_id",
                 "expired_on")  # fmt: skip


def expiry_line(row, links):
    """The digest line of a finding reopened because its acceptance expired."""
    project_id = row["risk__project_id"]
    return {
        "kind": "acceptance_expired",
        "group": "expired",
        "escalated": False,
        "alert": True,
        "project_id": project_id,
        "title": f"Risk acceptance expired: {row['risk__title']} — reopened",
        "context": f"Finding R-{row['risk__number']}",
        "detail": f"accepted until {short_date(row['expired_on'])}; accept it again or mitigate it",
        "url": links("risks:risk_detail", project_id, row["risk_id"]),
        "sort": (row["expired_on"], row["risk_id"]),
    }


NOTIFICATION_FIELDS = ("digest_id", "kind", "title", "url", "project_id", "created_at", "pk")


def notification_line(row, links):
    """The digest line of a notification its recipient wants in the digest."""
    return {
        "kind": "notification",
        "group": "notified",
        "escalated": False,
        "alert": False,
        "project_id": row["project_id"],
        "title": row["title"],
        "context": SHORT_LABELS[row["kind"]],
        "detail": f"told {short_date(timezone.localtime(row['created_at']).date())}",
        "url": absolute_url(row["url"]),
        "sort": (row["created_at"], row["pk"]),
    }


# What a digest tells besides reminders: (the model, the values read, the line).
NOTICE_LINES = (
    (AcceptanceExpiryNotice, NOTICE_FIELDS, expiry_line),
    (Notification, NOTIFICATION_FIELDS, notification_line),
)


def digest_projects(lines, projects, today):
    """Lines grouped by project (by name), then in the fixed group order."""
    by_project = {}
    for line in lines:
        by_project.setdefault(line["project_id"], []).append(line)
    result = []
    for project_id, project_lines in by_project.items():
        project = projects[project_id]
        groups = []
        for key, title in GROUPS:
            members = sorted(
                (x for x in project_lines if x["group"] == key), key=lambda x: x["sort"]
            )
            if members:
                groups.append({"key": key, "title": title, "lines": members})
        go_live = ""
        if project.go_live_date:
            days = (project.go_live_date - today).days
            go_live = f"Go-live {project.go_live_date.day} {project.go_live_date:%b %Y}"
            if days >= 0:
                go_live += f", in {_plural(days, 'day')}"
        result.append({"project": project, "go_live": go_live, "groups": groups})
    return sorted(result, key=lambda entry: entry["project"].name.lower())


def digest_counts(lines):
    counts = dict.fromkeys((key for key, _ in GROUPS), 0)
    for line in lines:
        counts[line["group"]] += 1
    return counts


class _Templates:
    """The digest's templates and fixed links, looked up once per sweep."""

    def __init__(self):
        self.subject = get_template("emails/digest_subject.txt")
        self.text = get_template("emails/digest.txt")
        self.html = get_template("emails/digest.html")
        self.profile_url = absolute_url(reverse("accounts:profile"))
        self.my_actions_url = absolute_url(reverse("risks:my_actions"))


def digest_message(*, recipient, lines, projects, today, templates=None, connection=None):
    """The digest e-mail (text and HTML) of one person."""
    templates = templates or _Templates()
    counts = digest_counts(lines)
    parts = [
        f"{counts['reverted']} go decision{'s' if counts['reverted'] != 1 else ''} reverted",
        f"{counts['expired']} risk acceptance{'s' if counts['expired'] != 1 else ''} expired",
        f"{counts['overdue']} overdue",
        f"{counts['due_soon']} due soon",
        f"{counts['signoff']} sign-off{'s' if counts['signoff'] != 1 else ''} awaited",
        f"{counts['notified']} notification{'s' if counts['notified'] != 1 else ''}",
    ]
    context = {
        "summary": ", ".join(part for part in parts if not part.startswith("0 ")),
        "recipient": recipient,
        "today": today,
        "today_long": f"{today:%A} {today.day} {today:%B %Y}",
        "projects": digest_projects(lines, projects, today),
        "counts": counts,
        "total": len(lines),
        "site_url": settings.SITE_URL,
        "profile_url": templates.profile_url,
        "my_actions_url": templates.my_actions_url,
    }
    subject = " ".join(templates.subject.render(context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=templates.text.render(context),
        to=[recipient.email],
        connection=connection,
    )
    message.attach_alternative(templates.html.render(context), "text/html")
    return message


def send_digests(token, *, now):
    """Send the digests claimed under ``token`` one by one. Returns (sent, failed e-mails,
    refused e-mails).

    Each digest is marked sent in its own transaction as soon as the relay accepted it, so
    a sweep killed mid-send can repeat at most the one digest whose acceptance it had not
    written yet. A digest the relay refuses for good (a 5xx answer for its recipient, an
    address that cannot be written) is marked failed with the relay's answer and never
    tried again; the others go on. A passing fault (the relay away, a 4xx answer) stops
    the sweep: that digest and the rest are released for the next sweep. Call outside a
    transaction, or the marks are only as durable as the caller's.
    """
    connection = get_connection()
    error = _open(connection)
    sent, refused = 0, []
    if error is None:
        with _commits_without_waiting_for_the_disk():
            sent, refused, error = _send_claimed(token, now, connection)
    with contextlib.suppress(SMTPException, OSError):
        connection.close()
    failed = []
    if error is not None:
        # Released at once: the next sweep (or the task's retry) claims and sends them.
        released = ReminderDigest.objects.filter(claim_token=token)
        failed = list(released.order_by("pk").values_list("recipient__email", flat=True))
        released.update(
            claim_token="",
            claimed_at=None,
            attempts=F("attempts") + 1,
            last_error=mail_error_text(error),
        )
    return sent, failed, refused


def _send_claimed(token, now, connection):
    """Send until done or until a passing fault: (sent, refused e-mails, the fault or None).
    Reads DIGESTS_PER_READ digests and their lines at a time: memory stays bounded."""
    today = timezone.localdate(now)
    links, templates, projects = _Links(), _Templates(), {}
    sent, refused = 0, []
    after = 0
    while after is not None:
        digests = list(
            ReminderDigest.objects.filter(claim_token=token, pk__gt=after)
            .select_related("recipient")
            .order_by("pk")[:DIGESTS_PER_READ]
        )
        after = digests[-1].pk if len(digests) == DIGESTS_PER_READ else None
        lines = {}
        for row in (
            Reminder.objects.filter(digest_id__in=[digest.pk for digest in digests])
            .order_by()
            .values(*REMINDER_FIELDS)
        ):
            lines.setdefault(row["digest_id"], []).append(_line(row, today, links))
        for model, fields, line in NOTICE_LINES:
            for row in (
                model.objects.filter(digest_id__in=[digest.pk for digest in digests])
                .order_by()
                .values(*fields)
            ):
                lines.setdefault(row["digest_id"], []).append(line(row, links))
        unseen = {line["project_id"] for rows in lines.values() for line in rows} - set(projects)
        if unseen:
            projects.update(Project.objects.only("pk", "name", "go_live_date").in_bulk(unseen))
        for digest in digests:
            message = digest_message(
                recipient=digest.recipient, lines=lines.get(digest.pk, []), projects=projects,
                today=today, templates=templates, connection=connection,
            )  # fmt: skip
            try:
                message.send()
            except (SMTPException, OSError, ValueError) as error:
                if not is_permanent_refusal(error):
                    logger.warning(
                        "Digest %s to %s not sent: %s", digest.pk, digest.recipient, error
                    )
                    return sent, refused, error
                _mark_failed(digest.pk, error)
                refused.append(digest.recipient.email)
                logger.warning(
                    "Digest %s to %s refused for good: %s", digest.pk, digest.recipient, error
                )
                continue
            _mark_sent(digest.pk)
            sent += 1
    return sent, refused, None


@contextlib.contextmanager
def _commits_without_waiting_for_the_disk():
    """On PostgreSQL, the marks commit without waiting for their WAL flush (a flush per
    digest costs milliseconds each). Each mark is still its own committed transaction: a
    sweep killed mid-send loses none of them. Only a crash of the database server itself
    can forget the marks of its last moments (up to 3 x wal_writer_delay, 0.6 s by
    default), whose digests would then go a second time."""
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _open(connection):
    """Open the mail connection once for the whole sweep; the error if the relay is down."""
    try:
        connection.open()
    except (SMTPException, OSError) as error:
        logger.warning("Mail relay unreachable, no digest sent this time: %s", error)
        return error
    return None


def _mark_sent(digest_id):
    """Its own transaction (autocommit), written right after the relay accepted the mail.
    One plain statement: it runs once per digest, where the ORM's update() would cost more
    than the database does."""
    with db_connection.cursor() as cursor:
        cursor.execute(_MARK_SENT_SQL, [timezone.now(), digest_id])


_MARK_SENT_SQL = (
    'UPDATE "reminders_reminderdigest" SET "sent_at" = %s, "claim_token" = \'\', '
    '"last_error" = \'\', "attempts" = "attempts" + 1 WHERE "id" = %s'
)


def _mark_failed(digest_id, error):
    ReminderDigest.objects.filter(pk=digest_id).update(
        failed_at=timezone.now(),
        claim_token="",
        attempts=F("attempts") + 1,
        last_error=mail_error_text(error),
    )


# --- The dry run ---------------------------------------------------------------------------


def describe_planned(plan, *, now=None):
    """Lines (as in the e-mail) for each PlannedDigest of a plan, for the dry run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    links = _Links()
    rows = {}
    action_ids = {r.action_id for d in plan for r in d.reminders if r.action_id}
    item_ids = {r.item_id for d in plan for r in d.reminders if r.item_id}
    condition_ids = {r.condition_id for d in plan for r in d.reminders if r.condition_id}
    prefixed = {
        "action": [f for f in REMINDER_FIELDS if f.startswith("action__")],
        "item": [f for f in REMINDER_FIELDS if f.startswith("item__")],
        "condition": [f for f in REMINDER_FIELDS if f.startswith("condition__")],
    }
    for name, model, ids in (
        ("action", MitigationAction, action_ids),
        ("item", ReviewItem, item_ids),
        ("condition", DecisionCondition, condition_ids),
    ):
        names = [f.removeprefix(f"{name}__") for f in prefixed[name]]
        for chunk in _chunks(sorted(ids), 5000):
            for values in model.objects.filter(pk__in=chunk).values("pk", *names):
                rows[(name, values["pk"])] = {
                    f"{name}__{key}": value for key, value in values.items() if key != "pk"
                }
    empty = dict.fromkeys(REMINDER_FIELDS)
    result = []
    for digest in plan:
        lines = []
        for reminder in digest.reminders:
            name = "action" if reminder.action_id else "item" if reminder.item_id else "condition"
            row = {
                **empty,
                **rows[(name, getattr(reminder, f"{name}_id"))],
                f"{name}_id": getattr(reminder, f"{name}_id"),
                "kind": reminder.kind,
                "threshold": reminder.threshold,
            }
            lines.append(_line(row, today, links))
        lines.extend(expiry_line(row, links) for row in digest.expiry_notices)
        lines.extend(notification_line(row, links) for row in digest.notifications)
        result.append((digest, lines))
    return result


def _chunks(values, size):
    for start in range(0, len(values), size):
        yield values[start : start + size]
