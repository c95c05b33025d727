"""Mailing calendar invitations: each person gets each sequence of an event once.

``calendar_deliver`` sends the event's current sequence to whoever has not had it: a
REQUEST to everyone invited (a first invitation or an update), a CANCEL to whoever holds an
invitation and is no longer invited (or to everyone when the event is cancelled). Each
mail goes to one person, recorded in a ``CalendarDelivery`` row written in the same
transaction as the send, so a task that runs twice (or two at once) sends nothing twice.

One person's address refused for good (a 5xx answer, an address that cannot be written)
is recorded as failed and the others still get theirs; a passing fault (the relay away, a
4xx answer) is raised after what was sent is recorded, so the task's retry sends the rest.
"""

import logging
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.calendar import CANCEL, REQUEST, Person, calendar_bytes, checked_address, event_end
from core.mail import is_permanent_refusal, mail_error_text
from core.text import inert_html, inert_text

logger = logging.getLogger(__name__)

NEW, UPDATED, CANCELLED, UNINVITED = "new", "updated", "cancelled", "uninvited"


@dataclass
class DeliveryResult:
    """Addresses mailed now, and addresses the relay refused for good."""

    sent: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def delivery_plan(deliveries, event):
    """[(person, method, change)] still to send for the event's current sequence."""
    latest = {}
    for email, name, method in (
        deliveries.filter(sent_at__isnull=False)
        .order_by("sequence", "pk")
        .values_list("email", "name", "method")
    ):
        latest[email] = (name, method)
    done = set(deliveries.filter(sequence=event.sequence).values_list("email", flat=True))
    invited = {}
    if not event.cancelled:
        for person in event.attendees:
            email = checked_address(person.email)
            if email:
                invited.setdefault(email.lower(), Person(person.name, email))
    plan = [
        (person, REQUEST, UPDATED if latest.get(email, ("", ""))[1] == REQUEST else NEW)
        for email, person in invited.items()
        if email not in done
    ]
    plan += [
        (Person(name, email), CANCEL, CANCELLED if event.cancelled else UNINVITED)
        for email, (name, method) in latest.items()
        if method == REQUEST and email not in invited and email not in done
    ]
    return plan


def calendar_deliver(*, deliveries, event, context):
    """Mail the event's current sequence to whoever has not had it (see the module).

    ``deliveries`` is the event's related manager of CalendarDelivery rows; ``context``
    goes to the templates (``what``: "workshop" or "rehearsal", ``project``,
    ``scheduled_by``, ``time_zone``). Call outside a transaction.
    """
    result = DeliveryResult()
    if event_end(event.starts_at, event.duration_minutes) < timezone.now():
        return result  # over already (a past workshop recorded): nobody's calendar needs it
    plan = delivery_plan(deliveries, event)
    if not plan:
        return result
    connection = get_connection()
    for person, method, change in plan:
        email = person.email.lower()
        message = invitation_message(event, person, method, change, context, connection)
        row = {"email": email, "name": person.name[:200], "sequence": event.sequence}
        try:
            with transaction.atomic():
                deliveries.create(**row, method=method, sent_at=timezone.now())
                message.send()
        except IntegrityError:
            continue  # another run of the task has sent this one
        except (SMTPException, OSError, ValueError) as error:
            if not is_permanent_refusal(error):
                raise  # the relay is away: the task's retry sends the rest
            logger.warning("Invitation %s to %s refused for good: %s", event.uid, email, error)
            try:
                deliveries.create(
                    **row, method=method, failed_at=timezone.now(),
                    last_error=mail_error_text(error),
                )  # fmt: skip
            except IntegrityError:
                continue
            result.refused.append(email)
            continue
        result.sent.append(email)
    return result


def invitation_message(event, person, method, change, context, connection=None):
    """The e-mail to one person: plain text and HTML, the invitation as a text/calendar
    part with its method (what mail programs act on), and the same as ``invite.ics``."""
    # An update names everyone; a person no longer invited gets a cancellation of their copy.
    attendees = [person] if change == UNINVITED else None
    ics = calendar_bytes(event, method=method, attendees=attendees)
    context = {
        **context,
        "event": event,
        "change": change,
        "recipient": person,
        "scheduled_by": inert_text(str(context.get("scheduled_by", "")), keep_newlines=False),
        "summary": inert_text(event.summary, keep_newlines=False),
        "summary_html": inert_html(event.summary),
        "location": inert_text(event.location, keep_newlines=False),
        "location_html": inert_html(event.location),
        "ends_at": event_end(event.starts_at, event.duration_minutes),
    }
    subject = " ".join(render_to_string("emails/calendar_invitation_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/calendar_invitation.txt", context),
        to=[person.email],
        connection=connection,
    )
    message.attach_alternative(
        render_to_string("emails/calendar_invitation.html", context), "text/html"
    )
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message
