"""Hypercare: it starts at go-live (the project's phase becomes "hypercare"), keeps a
daily check-in log and exit criteria, and closes when every criterion is met (the phase
becomes "operate"). Each step is recorded in the plan's history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects import permissions
from projects.models import Phase, Project
from projects.selectors import member_ids
from support.models import CriterionStatus, HypercareCheckIn, HypercareExitCriterion

from .common import access_of, lock, record, require_editor

MAX_INCIDENTS = 100_000


def _require_runner(acting_user, project):
    if not permissions.can_run_hypercare(access_of(acting_user, project)):
        raise PermissionDenied("Only the project manager starts and closes hypercare.")


def _set_phase(project, phase):
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = project.get_phase_display()
    project.phase = phase
    project.save(update_fields=["phase", "updated_at"])
    return before, project.get_phase_display()


@transaction.atomic
def hypercare_start(*, plan, acting_user, today=None):
    """Start hypercare, on or after the go-live date: the project's phase is "hypercare"."""
    locked = lock(plan)
    _require_runner(acting_user, locked.project)
    today = today or timezone.localdate()
    if locked.hypercare_started_at is not None:
        raise ValidationError("Hypercare has already started.")
    go_live = locked.project.go_live_date
    if go_live is not None and today < go_live:
        raise ValidationError(
            f"Hypercare starts at go-live: the planned go-live date is {go_live:%d %b %Y}."
        )
    locked.hypercare_started_at = timezone.now()
    locked.save(update_fields=["hypercare_started_at", "updated_at"])
    before, after = _set_phase(locked.project, Phase.HYPERCARE)
    record(locked, acting_user, {"phase": [before, after]}, note="Hypercare started.")
    return locked


@transaction.atomic
def hypercare_close(*, plan, acting_user):
    """Close hypercare once every exit criterion is met: the project's phase is "operate"."""
    locked = lock(plan)
    _require_runner(acting_user, locked.project)
    if locked.hypercare_started_at is None:
        raise ValidationError("Hypercare has not started yet.")
    if locked.hypercare_closed_at is not None:
        raise ValidationError("Hypercare is already closed.")
    criteria = list(locked.exit_criteria.all())
    if not criteria:
        raise ValidationError("Add the exit criteria first: hypercare closes when they are met.")
    still_open = [c.text for c in criteria if c.status != CriterionStatus.MET]
    if still_open:
        raise ValidationError(
            "Hypercare closes when every exit criterion is met; still open: "
            + "; ".join(f"“{text}”" for text in still_open)
            + "."
        )
    locked.hypercare_closed_at = timezone.now()
    locked.save(update_fields=["hypercare_closed_at", "updated_at"])
    before, after = _set_phase(locked.project, Phase.OPERATE)
    record(locked, acting_user, {"phase": [before, after]}, note="Hypercare closed.")
    return locked


@transaction.atomic
def exit_criterion_add(*, plan, acting_user, text, owner=None):
    locked = lock(plan)
    require_editor(acting_user, locked.project)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Say what must be true to leave hypercare."})
    if owner is not None and owner.pk not in member_ids(locked.project):
        raise ValidationError({"owner": "Choose a member of this project."})
    criterion = HypercareExitCriterion.objects.create(plan=locked, text=text[:300], owner=owner)
    record(locked, acting_user, {"exit criterion": ["", criterion.text]})
    return criterion


@transaction.atomic
def exit_criterion_set_status(*, criterion, acting_user, status):
    locked = lock(criterion.plan)
    criterion = locked.exit_criteria.get(pk=criterion.pk)
    if not permissions.can_update_exit_criterion(access_of(acting_user, locked.project), criterion):
        raise PermissionDenied("Only the criterion's owner and the plan's editors change it.")
    if status not in CriterionStatus.values:
        raise ValidationError({"status": "Choose open or met."})
    if criterion.status == status:
        return criterion
    before = criterion.get_status_display()
    criterion.status = status
    criterion.save(update_fields=["status"])
    record(
        locked, acting_user, {"exit criterion status": [before, criterion.get_status_display()]},
        note=criterion.text,
    )  # fmt: skip
    return criterion


@transaction.atomic
def check_in_log(*, plan, acting_user, date, notes="", p1=0, p2=0, p3=0, p4=0, decisions=""):
    """The day's hypercare check-in: one a day per plan."""
    locked = lock(plan)
    if not permissions.can_log_check_in(access_of(acting_user, locked.project)):
        raise PermissionDenied("Only the support plan's editors log the daily check-in.")
    if locked.hypercare_started_at is None:
        raise ValidationError("Hypercare has not started: check-ins start at go-live.")
    if date is None:
        raise ValidationError({"date": "Give the check-in's date."})
    if date > timezone.localdate():
        raise ValidationError({"date": "A check-in records a day that has begun, not a later one."})
    counts = {"p1": p1, "p2": p2, "p3": p3, "p4": p4}
    for name, value in counts.items():
        if value is None or not 0 <= int(value) <= MAX_INCIDENTS:
            raise ValidationError({name: "Give the number of open incidents (0 or more)."})
    if locked.check_ins.filter(date=date).exists():
        raise ValidationError({"date": f"There is already a check-in for {date:%d %b %Y}."})
    try:
        with transaction.atomic():
            check_in = HypercareCheckIn.objects.create(
                plan=locked, date=date, notes=(notes or "").strip(),
                decisions=(decisions or "").strip(), author=acting_user,
                **{name: int(value) for name, value in counts.items()},
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            {"date": f"There is already a check-in for {date:%d %b %Y}."}
        ) from None
    return check_in
