"""Support lines, their contacts and hours, the escalation path, knowledge-transfer sessions.

Each write locks the plan, checks the editor, and counts as a change of the plan (the
standing sign-offs are superseded).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ConflictError
from projects.selectors import member_ids
from support.models import (
    EscalationLevel,
    HoursException,
    KnowledgeTransferSession,
    Level,
    LineContact,
    SupportLine,
    WeeklyHours,
)

from .common import changed, lock, record, refuse_if_stale, require_editor


def _hours_text(line):
    from support.hours_text import format_exceptions, format_weekly

    weekly = format_weekly([(h.weekday, h.start, h.end) for h in line.weekly_hours.all()])
    exceptions = format_exceptions(
        [(e.date, e.closed, e.start, e.end) for e in line.exceptions.all()]
    )
    return weekly, exceptions


@transaction.atomic
def line_save(
    *, plan, acting_user, version, level, team, handles="", order=None, weekly=(),
    exception_hours=(), closed_dates=(), line=None,
):  # fmt: skip
    """Add a line (``line`` None) or change one: its level, team, what it handles, its
    order and its hours (weekly rows (weekday, start, end); exceptions (date, start, end)
    and dates closed replace the lot)."""
    locked = lock(plan)
    require_editor(acting_user, locked.project)
    refuse_if_stale(locked, version)
    if level not in Level.values:
        raise ValidationError({"level": "Choose L1, L2, L3, vendor or partner."})
    team = (team or "").strip()
    if not team:
        raise ValidationError({"team": "Name the team of this line."})
    if line is None:
        last = locked.lines.order_by("-order").values_list("order", flat=True).first() or 0
        line = SupportLine(plan=locked, order=order or last + 1)
        before = {"line": "", "hours": "", "exceptions": ""}
    else:
        line = locked.lines.get(pk=line.pk)
        weekly_text, exceptions_text = _hours_text(line)
        before = {"line": str(line), "hours": weekly_text, "exceptions": exceptions_text}
        if order:
            line.order = order
    line.level, line.team, line.handles = level, team, (handles or "").strip()
    line.save()
    line.weekly_hours.all().delete()
    line.exceptions.all().delete()
    WeeklyHours.objects.bulk_create(
        WeeklyHours(line=line, weekday=day, start=start, end=end) for day, start, end in weekly
    )
    HoursException.objects.bulk_create(
        [HoursException(line=line, date=day, start=start, end=end)
         for day, start, end in exception_hours]
        + [HoursException(line=line, date=day, closed=True) for day in closed_dates]
    )  # fmt: skip
    weekly_text, exceptions_text = _hours_text(line)
    after = {"line": str(line), "hours": weekly_text, "exceptions": exceptions_text}
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changes:
        changed(locked, acting_user, changes, note=f"Line {line.name}.")
    return line


@transaction.atomic
def line_delete(*, line, acting_user):
    locked = lock(line.plan)
    require_editor(acting_user, locked.project)
    line = locked.lines.get(pk=line.pk)
    name = str(line)
    line.delete()
    changed(locked, acting_user, {"line": [name, ""]}, note=f"Line {name} removed.")


@transaction.atomic
def contact_add(*, line, acting_user, member=None, name="", email="", phone=""):
    """A member of the project, or someone outside it: a name and an e-mail or a phone."""
    locked = lock(line.plan)
    require_editor(acting_user, locked.project)
    line = locked.lines.get(pk=line.pk)
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    if member is not None:
        if member.pk not in member_ids(locked.project):
            raise ValidationError({"member": "Choose a member of this project."})
        contact = LineContact.objects.create(line=line, member=member)
    else:
        if not name:
            raise ValidationError({"name": "Choose a member, or give the person's name."})
        if not (email or phone):
            raise ValidationError({"email": "Give an e-mail or a phone to reach them."})
        contact = LineContact.objects.create(line=line, name=name, email=email, phone=phone)
    changed(locked, acting_user, {f"{line.name} contact": ["", str(contact)]})
    return contact


@transaction.atomic
def contact_delete(*, contact, acting_user):
    locked = lock(contact.line.plan)
    require_editor(acting_user, locked.project)
    contact = LineContact.objects.select_related("line", "member").get(
        pk=contact.pk, line__plan=locked
    )
    text, line_name = str(contact), contact.line.name
    contact.delete()
    changed(locked, acting_user, {f"{line_name} contact": [text, ""]})


@transaction.atomic
def escalation_add(*, plan, acting_user, response_minutes, line=None, contact=None):
    """The next level of the escalation path: a line or a contact, and the response time."""
    locked = lock(plan)
    require_editor(acting_user, locked.project)
    if line is None and contact is None:
        raise ValidationError("Choose the line or the contact this level escalates to.")
    if line is not None and line.plan_id != locked.pk:
        raise ValidationError({"line": "Choose a line of this plan."})
    if contact is not None and contact.line.plan_id != locked.pk:
        raise ValidationError({"contact": "Choose a contact of this plan."})
    if response_minutes is None or int(response_minutes) < 1:
        raise ValidationError({"response_minutes": "Give the expected response in minutes."})
    last = locked.escalation.order_by("-order").values_list("order", flat=True).first() or 0
    level = EscalationLevel.objects.create(
        plan=locked, order=last + 1, line=line, contact=contact,
        response_minutes=int(response_minutes),
    )  # fmt: skip
    who = str(contact) if contact else line.name
    changed(locked, acting_user, {f"escalation level {level.order}": ["", f"{who}, {level.response_minutes} min"]})  # fmt: skip
    return level


@transaction.atomic
def escalation_delete(*, level, acting_user):
    """Remove a level; the ones after it move up."""
    locked = lock(level.plan)
    require_editor(acting_user, locked.project)
    level = locked.escalation.get(pk=level.pk)
    order = level.order
    level.delete()
    rest = list(locked.escalation.filter(order__gt=order).order_by("order"))
    for item in rest:
        item.order -= 1
    EscalationLevel.objects.bulk_update(rest, ["order"])
    changed(locked, acting_user, {f"escalation level {order}": ["removed", ""]})


@transaction.atomic
def kt_session_save(
    *, plan, acting_user, topic, date, from_members=(), from_text="", to_members=(),
    to_text="", attended="", done=False, session=None, version=None,
):  # fmt: skip
    """Add a knowledge-transfer session or change one (mark it done). ``version``: the
    session's version the edit started from; a session saved since is a conflict."""
    locked = lock(plan)
    require_editor(acting_user, locked.project)
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": "Give the session's topic."})
    if date is None:
        raise ValidationError({"date": "Give the session's date."})
    allowed = member_ids(locked.project)
    if any(user.pk not in allowed for user in [*from_members, *to_members]):
        raise ValidationError("Choose members of this project.")
    if session is None:
        session = KnowledgeTransferSession(plan=locked)
        before, content_before = "", None
    else:
        session = locked.kt_sessions.get(pk=session.pk)
        if version is not None and int(version) != session.version:
            raise ConflictError(
                current=session, current_version=session.version,
                what="this knowledge-transfer session",
            )  # fmt: skip
        session.version += 1
        before = f"{session.topic} ({session.date}){' done' if session.done else ''}"
        content_before = _kt_content(session)
    session.topic, session.date, session.from_text, session.to_text = (
        topic, date, (from_text or "").strip(), (to_text or "").strip(),
    )  # fmt: skip
    session.attended, session.done = (attended or "").strip(), bool(done)
    session.save()
    session.from_members.set(from_members)
    session.to_members.set(to_members)
    after = f"{session.topic} ({session.date}){' done' if session.done else ''}"
    if content_before == _kt_content(session):
        # Attendance and "done" record what happened; they do not change what was signed.
        if before != after:
            record(locked, acting_user, {"knowledge transfer": [before, after]})
    else:
        changed(locked, acting_user, {"knowledge transfer": [before, after]})
    return session


def _kt_content(session):
    return (
        session.topic, session.date, session.from_text, session.to_text,
        sorted(user.pk for user in session.from_members.all()),
        sorted(user.pk for user in session.to_members.all()),
    )  # fmt: skip
