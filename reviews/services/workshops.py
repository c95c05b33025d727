"""Workshop sessions: scheduling, changing and cancelling them (each sends its calendar
invitations after the commit), attendance, minutes."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.calendar import check_event_time
from core.errors import ConflictError
from core.text import strip_control_characters
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


def check_workshop_time(starts_at, duration_minutes):
    """{field: message} for a start outside 2000-2100 or a duration beyond a day."""
    return check_event_time(starts_at, duration_minutes, what="A workshop")


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


def _checked_fields(review, *, title, starts_at, duration_minutes, location, facilitator, agenda,
                   invitees, guests):  # fmt: skip
    """The workshop's fields as typed, checked and cleaned (ValidationError by field)."""
    invitees = list(invitees)
    problems = check_workshop_time(starts_at, duration_minutes)
    if problems:
        raise ValidationError(problems)
    guests = _clean_guests(guests)
    _check_members(review, invitees + ([facilitator] if facilitator else []))
    _check_agenda(review, agenda)
    fields = {
        "title": strip_control_characters(title, keep_newlines=False).strip(),
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "location": strip_control_characters(location, keep_newlines=False).strip(),
        "facilitator": facilitator,
        "agenda": list(agenda),
    }
    return fields, invitees, guests


def _send_invitations(workshop):
    """Mail the workshop's current sequence once this transaction commits."""
    from reviews.tasks import workshop_invitations_send_task  # tasks import the services

    workshop_invitations_send_task.delay_on_commit(workshop.pk)


@transaction.atomic
def workshop_create(
    *, review, acting_user, title, starts_at, duration_minutes=90, location="",
    facilitator=None, agenda=(), invitees=(), guests=(),
):  # fmt: skip
    """Schedule a workshop; every invitee and guest with an address is mailed the invitation."""
    fields, invitees, guests = _checked_fields(
        review, title=title, starts_at=starts_at, duration_minutes=duration_minutes,
        location=location, facilitator=facilitator, agenda=agenda, invitees=invitees,
        guests=guests,
    )  # fmt: skip
    workshop = Workshop.objects.create(review=review, created_by=acting_user, **fields)
    WorkshopAttendee.objects.bulk_create(
        [WorkshopAttendee(workshop=workshop, user=user) for user in invitees]
        + [WorkshopAttendee(workshop=workshop, guest_name=n, guest_email=e) for n, e in guests]
    )
    _send_invitations(workshop)
    return workshop


# What invitees hear about: a change of any of these sends an update (a higher SEQUENCE).
INVITATION_FIELDS = ("title", "starts_at", "duration_minutes", "location")


def _guest_key(name, email):
    return email.lower() if email else f"name:{name}"


def _update_attendees(workshop, invitees, guests):
    """Make the attendees the members and guests given, keeping the rows (and attendance)
    of those still invited. Whether the invited changed."""
    rows = list(workshop.attendees.all())
    members = {row.user_id: row for row in rows if row.user_id}
    present = {_guest_key(row.guest_name, row.guest_email): row for row in rows if not row.user_id}
    wanted_members = {user.pk for user in invitees}
    wanted_guests = {_guest_key(name, email): (name, email) for name, email in guests}
    gone = [row.pk for pk, row in members.items() if pk not in wanted_members]
    gone += [row.pk for key, row in present.items() if key not in wanted_guests]
    added = [
        WorkshopAttendee(workshop=workshop, user_id=pk) for pk in wanted_members - set(members)
    ]
    added += [
        WorkshopAttendee(workshop=workshop, guest_name=name, guest_email=email)
        for key, (name, email) in wanted_guests.items()
        if key not in present
    ]
    renamed = []
    for key, row in present.items():
        if key in wanted_guests and row.guest_name != wanted_guests[key][0]:
            row.guest_name = wanted_guests[key][0]
            renamed.append(row)
    if gone:
        WorkshopAttendee.objects.filter(pk__in=gone).delete()
    WorkshopAttendee.objects.bulk_create(added)
    WorkshopAttendee.objects.bulk_update(renamed, ["guest_name"])
    return bool(gone or added or renamed)


def _locked(workshop):
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop is cancelled; schedule a new one instead.")
    return locked


@transaction.atomic
def workshop_update(
    *, workshop, acting_user, title, starts_at, duration_minutes, location="", facilitator=None,
    agenda=(), invitees=(), guests=(),
):  # fmt: skip
    """Change a workshop. A change of its time, duration, place, title or of who is invited
    sends everyone invited an update (same UID, higher SEQUENCE); whoever is no longer
    invited gets a cancellation of their copy. Returns the workshop."""
    locked = _locked(workshop)
    fields, invitees, guests = _checked_fields(
        locked.review, title=title, starts_at=starts_at, duration_minutes=duration_minutes,
        location=location, facilitator=facilitator, agenda=agenda, invitees=invitees,
        guests=guests,
    )  # fmt: skip
    changed = [name for name in INVITATION_FIELDS if getattr(locked, name) != fields[name]]
    for name, value in fields.items():
        setattr(locked, name, value)
    if _update_attendees(locked, invitees, guests) or changed:
        locked.sequence += 1
        _send_invitations(locked)
    locked.save()
    return locked


@transaction.atomic
def workshop_cancel(*, workshop, acting_user):
    """Cancel a workshop: everyone invited gets METHOD:CANCEL (same UID, higher SEQUENCE).
    The workshop stays, marked cancelled, with its minutes and attendance."""
    locked = _locked(workshop)
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = acting_user
    locked.sequence += 1
    locked.save(update_fields=["cancelled_at", "cancelled_by", "sequence", "updated_at"])
    _send_invitations(locked)
    return locked


@transaction.atomic
def workshop_take_attendance(*, workshop, acting_user, attended_ids):
    """Mark who attended (by attendee id); everyone else invited is marked absent."""
    # Ids as posted; anything else is nobody (a tampered form is not a server error).
    attended_ids = {int(pk) for pk in map(str, attended_ids) if pk.isascii() and pk.isdigit()}
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
