"""Workshop sessions: scheduling, attendance, minutes, and the .ics invitation."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError
from core.http import absolute_url
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


@transaction.atomic
def workshop_create(
    *, review, acting_user, title, starts_at, duration_minutes=90, location="",
    facilitator=None, agenda=(), invitees=(), guests=(),
):  # fmt: skip
    invitees = list(invitees)
    _check_members(review, invitees + ([facilitator] if facilitator else []))
    _check_agenda(review, agenda)
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
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


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


def workshop_ics(workshop):
    """The workshop as an iCalendar (RFC 5545) invitation, bytes."""
    fmt = "%Y%m%dT%H%M%SZ"
    start = workshop.starts_at.astimezone(datetime.UTC)
    end = start + datetime.timedelta(minutes=workshop.duration_minutes)
    review = workshop.review
    url = absolute_url(workshop.get_absolute_url())
    sections = {s.key: s.title for s in review.sections.all()}
    agenda = "\n".join(f"{i}. {sections.get(key, key)}" for i, key in enumerate(workshop.agenda, 1))
    description = f"{review.project.name}: {review.title}\n\nAgenda:\n{agenda or '—'}\n\n{url}"
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
        f"SUMMARY:{_ics_escape(workshop.title)}",
        f"DESCRIPTION:{_ics_escape(description)}",
        f"URL:{url}",
    ]
    if workshop.location:
        lines.append(f"LOCATION:{_ics_escape(workshop.location)}")
    if workshop.facilitator_id:
        f = workshop.facilitator
        lines.append(f"ORGANIZER;CN={_ics_escape(f)}:mailto:{f.email}")
    for attendee in workshop.attendees.select_related("user"):
        if attendee.email:
            lines.append(
                f"ATTENDEE;CN={_ics_escape(attendee.name)};ROLE=REQ-PARTICIPANT:mailto:{attendee.email}"
            )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
