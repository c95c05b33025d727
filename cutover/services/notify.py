"""Telling people about a running cutover, once each.

- A step owner (and the backup) hear that their step can start when its predecessors are
  done: ``notify_steps_ready(run, step)`` enqueues the task after the mark is committed; the
  task calls ``steps_ready_notify``.
- The cutover manager (the members holding the role, else the project manager) hears about a
  late step: the beat task calls ``late_steps_escalate`` every few minutes.

Each (run, step) is told once: a row with a unique constraint is written in the same
transaction as the mail goes out, so a repeated or concurrent task finds it and sends nothing
(a mail fault rolls the row back, and the retry sends it).
"""

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.http import absolute_url
from cutover.models import CutoverRun, LateStepEscalation, RunStatus, Step, StepReadyNotice
from cutover.progress import READY
from cutover.schedule import format_minutes
from cutover.selectors_live import board_of, running_runs
from notifications.models import Kind
from notifications.services import notify, wants_email
from projects.models import Membership, Role, SignoffRole
from webhooks.models import WebhookEventType
from webhooks.services import webhook_event_publish


def notify_steps_ready(run, step=None):
    """After ``step`` is marked done or skipped in ``run`` (or the run started, without a
    step): tell the owners of the steps that can start now, once the mark is committed."""
    from cutover import tasks  # tasks import the services; imported here to avoid a cycle

    run_id, step_id = run.pk, step.pk if step is not None else None
    transaction.on_commit(lambda: tasks.cutover_steps_ready_notify_task.delay(run_id, step_id))


def _send(template, context, recipients):
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{template}.txt", context), to=recipients
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


def _board_url(project):
    return absolute_url(reverse("cutover:board", args=[project.pk]))


def _run_sheet_path(run, step):
    path = reverse("cutover:run", args=[run.plan.project_id, run.pk])
    return f"{path}#step-{step.number}"


def _active_members(project, user_ids):
    """The active members among ``user_ids``, in their order."""
    members = {
        membership.user_id: membership.user
        for membership in Membership.objects.filter(
            project=project, user_id__in=[i for i in user_ids if i], user__is_active=True
        ).select_related("user")
    }
    return [members[i] for i in dict.fromkeys(user_ids) if i in members]


def steps_ready_notify(*, run_id, step_id):
    """Tell the owner and backup of each step of ``run_id`` that can start now (every
    predecessor done or skipped, not begun yet) and was not announced before: the steps
    ``step_id`` unblocked, the rollback steps once a roll back is decided. Returns the
    numbers of the steps whose people were told now."""
    run = CutoverRun.objects.select_related("plan__project", "plan_version").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return []
    project = run.plan.project
    board = board_of(run, project)
    ready = [step for step in [*board.ready, *board.late] if step.status == READY]
    if not ready:
        return []
    already = set(StepReadyNotice.objects.filter(run=run).values_list("step_id", flat=True))
    people = dict(
        Step.objects.filter(pk__in=[step.pk for step in ready]).values_list("pk", "backup_owner_id")
    )
    told = []
    checkpoints = {checkpoint.pk: checkpoint for checkpoint in board.checkpoints}
    for step in sorted(ready, key=lambda step: step.number):
        if step.pk in already:
            continue
        members = _active_members(project, [step.owner_id, people.get(step.pk)])
        path = _run_sheet_path(run, step)
        notify(
            recipients=members, kind=Kind.STEP_READY,
            title=f"Step {step.number} can start in {run}: {step.title}",
            url=path, project=project, key=f"step-ready:{run.pk}:{step.pk}", emailed=True,
        )  # fmt: skip
        emails = sorted({user.email for user in wants_email(members, Kind.STEP_READY)})
        if _tell_once(
            StepReadyNotice, run, step, emails,
            "cutover_step_ready",
            {"run": run, "project": project, "step": step, "version": run.plan_version,
             "planned_start": step.planned_start, "url": absolute_url(path)},
        ):  # fmt: skip
            told.append(step.number)
            if step.pk in checkpoints:
                _publish_checkpoint(run, project, step, checkpoints[step.pk])
    return told


def _publish_checkpoint(run, project, step, checkpoint):
    webhook_event_publish(
        project=project, event=WebhookEventType.CHECKPOINT_REACHED,
        title=f"Checkpoint reached: step {step.number} {step.title}",
        text=f"The {str(run).lower()} of {project.name} reached checkpoint {step.number} "
        f"“{step.title}”: its approvers vote go on or roll back. {checkpoint.criteria}".strip(),
        url=_run_sheet_path(run, step),
        data={"run_id": run.pk, "run_kind": run.kind, "step_number": step.number},
    )  # fmt: skip


def _tell_once(model, run, row, recipients, template, context, **fields):
    """Record that ``row`` was told about in ``run`` and send the mail, in one transaction;
    False when it was already recorded."""
    try:
        with transaction.atomic():
            model.objects.create(run=run, step_id=row.pk, recipients=recipients, **fields)
            if recipients:
                _send(template, context, recipients)
    except IntegrityError:
        return False
    return True


def cutover_manager_emails(project):
    """Whom a late step escalates to: the members holding the cutover manager's role, else
    the project manager(s)."""
    rows = list(
        Membership.objects.filter(project=project, user__is_active=True)
        .exclude(role=Role.VIEWER)
        .values_list("role", "signoff_roles", "user__email")
    )
    managers = [
        email for _role, roles, email in rows if SignoffRole.CUTOVER_MANAGER in (roles or ())
    ]
    return sorted(managers or [email for role, _r, email in rows if role == Role.PROJECT_MANAGER])


def _publish_late(run, project, step, context):
    webhook_event_publish(
        project=project, event=WebhookEventType.CUTOVER_STEP_LATE,
        title=f"Late by {context['late']}: step {step.number} {step.title}",
        text=f"Step {step.number} “{step.title}” of the {str(run).lower()} is late by "
        f"{context['late']}. Owner: {step.owner_name or 'nobody'}. The cutover is "
        f"{context['board'].finish_sentence}.",
        url=context["url"],
        data={"run_id": run.pk, "run_kind": run.kind, "step_number": step.number,
              "late_minutes": step.late_minutes},
    )  # fmt: skip


def late_steps_escalate(*, now=None):
    """Escalate every late step of every running run to its cutover manager, once per run
    and step. Returns {run id: [step numbers escalated now]}."""
    now = now or timezone.now()
    escalated = {}
    for run in running_runs():
        project = run.plan.project
        board = board_of(run, project, now=now)
        if not board.late:
            continue
        recipients = None
        already = set(LateStepEscalation.objects.filter(run=run).values_list("step_id", flat=True))
        for step in board.late:
            if step.pk in already:
                continue
            if recipients is None:
                recipients = cutover_manager_emails(project)
            context = {
                "run": run, "project": project, "step": step, "version": run.plan_version,
                "late": format_minutes(step.late_minutes), "board": board,
                "url": _board_url(project),
            }  # fmt: skip
            if _tell_once(
                LateStepEscalation, run, step, recipients, "cutover_step_late", context,
                late_minutes=step.late_minutes, escalated_at=now,
            ):  # fmt: skip
                escalated.setdefault(run.pk, []).append(step.number)
                _publish_late(run, project, step, context)
    return escalated
