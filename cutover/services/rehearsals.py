"""Planned rehearsals: book one for a time, re-plan it, cancel it. Each sends calendar
invitations after the commit to the step owners, their backups and the cutover people
(the members holding the cutover manager's role, else the project manager): an update
has the same UID and a higher SEQUENCE; whoever is no longer invited, or everyone on a
cancellation, gets METHOD:CANCEL."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.calendar import REQUEST, CalendarEvent, Person, check_event_time
from core.calendar_mail import DeliveryResult, calendar_deliver
from core.http import absolute_url
from core.text import strip_control_characters
from cutover.models import PlannedRehearsal, PlanStatus, Step
from projects import permissions
from projects.models import Membership, Role, SignoffRole

from .common import access_of

CHANGES = ("starts_at", "duration_minutes", "location")


def _require_runner(acting_user, project):
    if not permissions.can_run_cutover(access_of(acting_user, project)):
        raise PermissionDenied("Only the project manager and the cutover manager plan rehearsals.")


def _checked(starts_at, duration_minutes, location):
    problems = check_event_time(starts_at, duration_minutes, what="A rehearsal")
    if problems:
        raise ValidationError(problems)
    location = strip_control_characters(location or "", keep_newlines=False).strip()
    return {"starts_at": starts_at, "duration_minutes": duration_minutes, "location": location}


def _send_invitations(rehearsal):
    from cutover.tasks import cutover_rehearsal_invitations_send_task  # tasks import services

    cutover_rehearsal_invitations_send_task.delay_on_commit(rehearsal.pk)


@transaction.atomic
def rehearsal_plan(*, plan, acting_user, starts_at, duration_minutes=240, location=""):
    """Book a rehearsal for a time; everyone it concerns is mailed an invitation."""
    _require_runner(acting_user, plan.project)
    fields = _checked(starts_at, duration_minutes, location)
    rehearsal = PlannedRehearsal.objects.create(plan=plan, created_by=acting_user, **fields)
    _send_invitations(rehearsal)
    return rehearsal


def _locked(rehearsal, acting_user):
    locked = (
        PlannedRehearsal.objects.select_for_update()
        .select_related("plan__project")
        .get(pk=rehearsal.pk)
    )
    _require_runner(acting_user, locked.plan.project)
    if locked.is_cancelled:
        raise ValidationError("This rehearsal is cancelled; plan a new one instead.")
    return locked


@transaction.atomic
def rehearsal_replan(*, rehearsal, acting_user, starts_at, duration_minutes, location=""):
    """Move a planned rehearsal: a new time, duration or place sends everyone the update
    (same UID, a higher SEQUENCE), and the people the plan now names (a step's new owner)
    are invited with it."""
    locked = _locked(rehearsal, acting_user)
    fields = _checked(starts_at, duration_minutes, location)
    if all(getattr(locked, name) == fields[name] for name in CHANGES):
        return locked
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.sequence += 1
    locked.save()
    _send_invitations(locked)
    return locked


@transaction.atomic
def rehearsal_cancel(*, rehearsal, acting_user):
    """Cancel a planned rehearsal: everyone invited gets METHOD:CANCEL."""
    locked = _locked(rehearsal, acting_user)
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = acting_user
    locked.sequence += 1
    locked.save(update_fields=["cancelled_at", "cancelled_by", "sequence"])
    _send_invitations(locked)
    return locked


def rehearsal_invitees(plan):
    """The people a rehearsal of the plan concerns: the owners and backups of the current
    version's steps and the cutover people (the cutover manager's role, else the project
    manager), active members only, in name order."""
    version = plan.versions.exclude(status=PlanStatus.SUPERSEDED).first()
    user_ids = set()
    if version is not None:
        for owner_id, backup_id in Step.objects.filter(plan_version=version).values_list(
            "owner_id", "backup_owner_id"
        ):
            user_ids.update(pk for pk in (owner_id, backup_id) if pk)
    # Every active member (a project has tens): the stakeholder roles are a JSON list.
    members = list(
        Membership.objects.filter(project_id=plan.project_id, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    staff = [m for m in members if m.role != Role.VIEWER]
    managers = [m for m in staff if SignoffRole.CUTOVER_MANAGER in (m.signoff_roles or ())]
    if not managers:
        managers = [m for m in staff if m.role == Role.PROJECT_MANAGER]
    chosen = {m.user_id for m in managers} | user_ids
    return [Person(str(m.user), m.user.email) for m in members if m.user_id in chosen]


def rehearsal_invitations_follow(plan_id):
    """After the steps' owners may have changed: each rehearsal still to come mails its
    invitation, after the commit, to whoever it now concerns and has not had it (a new
    owner or backup), at the same sequence. When someone it no longer concerns holds an
    invitation, the sequence goes up: they get a cancellation of their copy and the others
    an update with the new list of attendees."""
    upcoming = PlannedRehearsal.objects.filter(
        plan_id=plan_id, cancelled_at__isnull=True, starts_at__gt=timezone.now()
    ).select_related("plan")
    for rehearsal in upcoming:
        invited = {person.email.lower() for person in rehearsal_invitees(rehearsal.plan)}
        latest = dict(
            rehearsal.invitations.filter(sent_at__isnull=False)
            .order_by("sequence", "pk")
            .values_list("email", "method")
        )
        if any(method == REQUEST and email not in invited for email, method in latest.items()):
            rehearsal.sequence += 1
            rehearsal.save(update_fields=["sequence"])
        _send_invitations(rehearsal)


def rehearsal_event(rehearsal, attendees=None):
    """The planned rehearsal as a CalendarEvent (attendees: ``rehearsal_invitees``)."""
    plan, project = rehearsal.plan, rehearsal.plan.project
    url = absolute_url(reverse("cutover:runs", args=[project.pk]))
    description = (
        f"Cutover rehearsal of {project.name}: the owners run their steps of the current "
        f"plan version for real, and mark them on the run sheet as they go.\n\n"
        f"Planned by {rehearsal.created_by} in readiness: {url}"
    )
    return CalendarEvent(
        uid=rehearsal.calendar_uid,
        sequence=rehearsal.sequence,
        starts_at=rehearsal.starts_at,
        duration_minutes=rehearsal.duration_minutes,
        summary=f"Cutover rehearsal: {project.name}",
        description=description,
        location=rehearsal.location,
        url=url,
        organizer=Person(str(rehearsal.created_by), rehearsal.created_by.email),
        attendees=tuple(rehearsal_invitees(plan) if attendees is None else attendees),
        cancelled=rehearsal.is_cancelled,
    )


def rehearsal_invitations_send(*, rehearsal_id):
    """Mail the rehearsal's current sequence to whoever has not had it. Returns the
    DeliveryResult."""
    rehearsal = (
        PlannedRehearsal.objects.select_related("plan__project", "created_by")
        .filter(pk=rehearsal_id)
        .first()
    )
    if rehearsal is None:
        return DeliveryResult()
    version = rehearsal.plan.versions.exclude(status=PlanStatus.SUPERSEDED).first()
    context = {
        "what": "cutover rehearsal",
        "project": rehearsal.plan.project,
        "scheduled_by": rehearsal.created_by,
        "time_zone": version.time_zone if version else "UTC",
    }
    return calendar_deliver(
        deliveries=rehearsal.invitations, event=rehearsal_event(rehearsal), context=context
    )
