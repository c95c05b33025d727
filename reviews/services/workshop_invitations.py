"""A workshop as a calendar event: the .ics to download, and the invitations mailed to its
invitees and guests (one UID for the workshop's life; the SEQUENCE is the workshop's)."""

from django.conf import settings

from core.calendar import PUBLISH, CalendarEvent, Person, calendar_bytes
from core.calendar_mail import DeliveryResult, calendar_deliver
from core.http import absolute_url
from reviews.models import Workshop


def workshop_event(workshop, attendees=None):
    """The workshop as a CalendarEvent. The description says which review it is about, the
    agenda, who scheduled it, and links only to its page here (other addresses in typed
    text are defanged by ``core.calendar``)."""
    review = workshop.review
    url = absolute_url(workshop.get_absolute_url())
    sections = {s.key: s.title for s in review.sections.all()}
    agenda = "\n".join(f"{i}. {sections.get(key, key)}" for i, key in enumerate(workshop.agenda, 1))
    description = (
        f"{review.project.name}: {review.title}\n\nAgenda:\n{agenda or '—'}\n\n"
        f"Scheduled by {workshop.created_by} in readiness: {url}"
    )
    if attendees is None:
        attendees = workshop.attendees.select_related("user")
    organizer = workshop.facilitator if workshop.facilitator_id else workshop.created_by
    return CalendarEvent(
        uid=workshop.calendar_uid,
        sequence=workshop.sequence,
        starts_at=workshop.starts_at,
        duration_minutes=workshop.duration_minutes,
        summary=workshop.title,
        description=description,
        location=workshop.location,
        url=url,
        organizer=Person(str(organizer), organizer.email),
        attendees=tuple(Person(a.name, a.email) for a in attendees if a.email),
        cancelled=workshop.is_cancelled,
    )


def workshop_ics(workshop):
    """The workshop as an iCalendar file to download (METHOD:PUBLISH), bytes: the same UID
    and the current SEQUENCE as the invitations mailed."""
    return calendar_bytes(workshop_event(workshop), method=PUBLISH)


def workshop_invitations_send(*, workshop_id):
    """Mail the workshop's current sequence to whoever has not had it: the invitation or
    its update to everyone invited, a cancellation to whoever is no longer invited (or to
    everyone, the workshop cancelled). Returns the DeliveryResult."""
    workshop = (
        Workshop.objects.select_related("review__project", "facilitator", "created_by")
        .filter(pk=workshop_id)
        .first()
    )
    if workshop is None:  # deleted (with its review) before the task ran
        return DeliveryResult()
    context = {
        "what": "workshop",
        "project": workshop.review.project,
        "scheduled_by": workshop.created_by,
        "time_zone": settings.TIME_ZONE,
    }
    return calendar_deliver(
        deliveries=workshop.invitations, event=workshop_event(workshop), context=context
    )
