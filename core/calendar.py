"""Calendar invitations (iCalendar, RFC 5545; methods of RFC 5546), built with ``icalendar``.

One event, one UID for its whole life: a change is the same UID with a higher SEQUENCE, a
cancellation is METHOD:CANCEL with STATUS:CANCELLED. Workshops and cutover rehearsals build
a ``CalendarEvent`` and call ``calendar_bytes``; ``core.calendar_mail`` mails it.

What people typed reaches other people's calendars, so (as in ``core.text``):

- control characters are removed from every value (they can break lines);
- the summary and description have every address not of this site defanged; the location
  is kept as typed, since it is where an online meeting's link goes;
- the URL is the page of this site or nothing;
- names are parameter values, quoted by the library; a double quote cannot appear in a
  quoted value (RFC 5545 3.2), so it becomes a single one;
- an address that is not one is left out (never written into the calendar).
"""

import datetime
from dataclasses import dataclass, field

import icalendar
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from core.text import inert_text, is_own_url, strip_control_characters

PRODUCT_ID = "-//readiness//go-live readiness reviews//EN"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Person:
    """Someone in an invitation: a name as shown, and an e-mail address."""

    name: str
    email: str


@dataclass(frozen=True)
class CalendarEvent:
    """What an invitation says. ``summary`` and ``description`` are text as typed (made safe
    here); ``url`` is a page of this site."""

    uid: str
    sequence: int
    starts_at: datetime.datetime
    duration_minutes: int
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: Person | None = None
    attendees: tuple[Person, ...] = field(default_factory=tuple)
    cancelled: bool = False


# Dates within reason: a workshop in the year 9999 broke its invitation (issue 12).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DURATION_MINUTES = 24 * 60


def check_event_time(starts_at, duration_minutes, *, what="A workshop"):
    """{field: message} for a start outside 2000-2100 or a duration beyond a day."""
    problems = {}
    if not FIRST_YEAR <= starts_at.year <= LAST_YEAR:
        problems["starts_at"] = f"Choose a date between the years {FIRST_YEAR} and {LAST_YEAR}."
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        problems["duration_minutes"] = f"{what} lasts from 1 minute to 24 hours."
    return problems


def checked_address(email):
    """The address with control characters and surrounding blanks gone if it is an e-mail
    address; else None."""
    email = strip_control_characters(email or "", keep_newlines=False).strip()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def event_end(start, minutes):
    """start + minutes, or the last moment a datetime holds (a row saved before the checks
    on dates could end past the year 9999)."""
    try:
        return start + datetime.timedelta(minutes=minutes)
    except OverflowError:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _name(text):
    return strip_control_characters(text, keep_newlines=False).replace('"', "'").strip()


def _address(person, **params):
    """An ORGANIZER or ATTENDEE value, or None for an address that is not one."""
    email = checked_address(person.email)
    if email is None:
        return None
    address = icalendar.vCalAddress(f"mailto:{email}")
    name = _name(person.name)
    if name:
        address.params["CN"] = name
    address.params.update(params)
    return address


def calendar_bytes(event, *, method=REQUEST, attendees=None):
    """The event as an iCalendar object, bytes. ``method`` is PUBLISH (a download), REQUEST
    (an invitation or its update) or CANCEL; ``attendees`` replaces the event's own (a
    CANCEL to someone no longer invited names only them)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    vevent = icalendar.Event()
    start = event.starts_at.astimezone(datetime.UTC)
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", event_end(start, event.duration_minutes))
    vevent.add("summary", inert_text(event.summary, keep_newlines=False).strip())
    if event.description:
        vevent.add("description", inert_text(event.description))
    location = strip_control_characters(event.location, keep_newlines=False).strip()
    if location:
        vevent.add("location", location)
    if event.url and is_own_url(event.url):
        vevent.add("url", event.url)
    cancelled = event.cancelled or method == CANCEL
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if event.organizer is not None:
        organizer = _address(event.organizer)
        if organizer is not None:
            vevent.add("organizer", organizer)
    for person in event.attendees if attendees is None else attendees:
        attendee = _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE")
        if attendee is not None:
            vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    return calendar.to_ical()
