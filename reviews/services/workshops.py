"""Workshop sessions: scheduling, attendance, minutes, and the .ics invitation."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError
from core.http import absolute_url
from core.text import inert_text, strip_control_characters
from projects.selectors import member_ids
from reviews.models import Workshop, WorkshopAttendee


def _check_members(review, users):
    members = member_ids(review.project_id)
    strangers = [user for user in users if user.pk not in members]
    if strangers:
        names = ", ".join(str(user) for user in strangers)
        raise ValidationError({"invitees": f"Not members of this project: {names}."})


def _check_agenda(review, agenda):
    keys = set(review.sections.values_list("key", flat=True))
    unknown = [key for key in agenda if key not in keys]
    if unknown:
        raise ValidationError({"agenda": f"Unknown sections: {', '.join(unknown)}."})


# Dates within reason: a workshop in the year 9999 broke its invitation (issue 12).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DURATION_MINUTES = 24 * 60


def check_workshop_time(starts_at, duration_minutes):
    """{field: message} for a start outside 2000-2100 or a duration beyond a day."""
    problems = {}
    if not FIRST_YEAR <= starts_at.year <= LAST_YEAR:
        problems["starts_at"] = f"Choose a date between the years {FIRST_YEAR} and {LAST_YEAR}."
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        problems["duration_minutes"] = "A workshop lasts from 1 minute to 24 hours."
    return problems


def check_guest_email(email):
    """The guest's address, or ValidationError saying it is not one."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(f"“{email[:100]}” is not an e-mail address.") from error
    return email


def _clean_guests(guests):
    cleaned = []
    for name, email in guests:
        name = strip_control_characters(name, keep_newlines=False).strip()[:150]
        if email:
            try:
                email = check_guest_email(email)
            except ValidationError as error:
                raise ValidationError({"guests": error.messages}) from error
        if not name and not email:
            continue
        cleaned.append((name or email, email))
    return cleaned


@transaction.atomic
def workshop_create(
    *, review, acting_user, title, starts_at, duration_minutes=90, location="",
    facilitator=None, agenda=(), invitees=(), guests=(),
):  # fmt: skip
    invitees = list(invitees)
    problems = check_workshop_time(starts_at, duration_minutes)
    if problems:
        raise ValidationError(problems)
    guests = _clean_guests(guests)
    _check_members(review, invitees + ([facilitator] if facilitator else []))
    _check_agenda(review, agenda)
    title = strip_control_characters(title, keep_newlines=False).strip()
    location = strip_control_characters(location, keep_newlines=False).strip()
    workshop = Workshop.objects.create(
        review=review,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        facilitator=facilitator,
        agenda=list(agenda),
        created_by=acting_user,
    )
    WorkshopAttendee.objects.bulk_create(
        [WorkshopAttendee(workshop=workshop, user=user) for user in invitees]
        + [WorkshopAttendee(workshop=workshop, guest_name=n, guest_email=e) for n, e in guests]
    )
    return workshop


@transaction.atomic
def workshop_take_attendance(*, workshop, acting_user, attended_ids):
    """Mark who attended (by attendee id); everyone else invited is marked absent."""
    attended_ids = {int(pk) for pk in attended_ids}
    for attendee in workshop.attendees.select_for_update():
        attendee.attended = attendee.pk in attended_ids
        attendee.save(update_fields=["attended"])
    return workshop


@transaction.atomic
def workshop_save_minutes(*, workshop, acting_user, minutes, version):
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.minutes_version != version:
        raise ConflictError(
            current=locked,
            current_version=locked.minutes_version,
            what="the minutes",
            changed_by=locked.minutes_updated_by,
            pronoun="them",
        )
    if locked.minutes == minutes:
        return locked
    locked.minutes = minutes
    locked.minutes_version += 1
    locked.minutes_updated_by = acting_user
    locked.save(update_fields=["minutes", "minutes_version", "minutes_updated_by", "updated_at"])
    return locked


def _ics_escape(text):
    """A TEXT value (RFC 5545 3.3.11): control characters gone, separators escaped."""
    text = strip_control_characters(text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_member_text(text):
    """Typed text in a TEXT value: addresses not of this site defanged, then escaped."""
    return _ics_escape(inert_text(text))


def _ics_param(text):
    """A parameter value (CN): always quoted, so ':' ';' ',' stay inside it; a double quote
    cannot appear in a quoted value (RFC 5545 3.2), so it becomes a single one."""
    value = strip_control_characters(text, keep_newlines=False).replace('"', "'")
    return f'"{value}"'


def _ics_mailto(email):
    """mailto: of an address checked on the way in; anything else is left out (None)."""
    try:
        return "mailto:" + check_guest_email(strip_control_characters(email, keep_newlines=False))
    except ValidationError:
        return None


def _fold(line):
    """RFC 5545 lines are at most 75 octets; longer ones continue on lines starting with a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _end(start, minutes):
    """start + minutes, or the last moment a datetime holds (a row saved before the checks
    on dates could end past the year 9999)."""
    try:
        return start + datetime.timedelta(minutes=minutes)
    except OverflowError:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)


def workshop_ics(workshop):
    """The workshop as an iCalendar (RFC 5545) invitation, bytes.

    What people typed (titles, names, the location) is stripped of control characters,
    escaped, and names are quoted; the description says who scheduled the workshop and
    links only to its page here (other addresses in typed text are defanged). The
    location is kept as typed: it is where an online meeting's link goes.
    """
    fmt = "%Y%m%dT%H%M%SZ"
    start = workshop.starts_at.astimezone(datetime.UTC)
    end = _end(start, workshop.duration_minutes)
    review = workshop.review
    url = absolute_url(workshop.get_absolute_url())
    sections = {s.key: s.title for s in review.sections.all()}
    agenda = "\n".join(f"{i}. {sections.get(key, key)}" for i, key in enumerate(workshop.agenda, 1))
    typed = inert_text(f"{review.project.name}: {review.title}\n\nAgenda:\n{agenda or '—'}")
    scheduled_by = inert_text(str(workshop.created_by), keep_newlines=False)
    description = f"{typed}\n\nScheduled by {scheduled_by} in readiness: {url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//readiness//go-live readiness reviews//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:workshop-{workshop.pk}@readiness",
        f"DTSTAMP:{timezone.now().astimezone(datetime.UTC).strftime(fmt)}",
        f"DTSTART:{start.strftime(fmt)}",
        f"DTEND:{end.strftime(fmt)}",
        f"SUMMARY:{_ics_member_text(workshop.title)}",
        f"DESCRIPTION:{_ics_escape(description)}",
        f"URL:{url}",
    ]
    if workshop.location:
        lines.append(f"LOCATION:{_ics_escape(workshop.location)}")
    if workshop.facilitator_id:
        facilitator = workshop.facilitator
        mailto = _ics_mailto(facilitator.email)
        if mailto:
            lines.append(f"ORGANIZER;CN={_ics_param(facilitator)}:{mailto}")
    for attendee in workshop.attendees.select_related("user"):
        mailto = _ics_mailto(attendee.email) if attendee.email else None
        if mailto:
            lines.append(f"ATTENDEE;CN={_ics_param(attendee.name)};ROLE=REQ-PARTICIPANT:{mailto}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
