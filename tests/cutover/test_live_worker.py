"""The live cutover's tasks through a real Celery worker (Redis and PostgreSQL; CI's service
pass): two overlapping escalation sweeps and a redelivered ready-step task send each mail
once."""

import time

import pytest
from django.utils import timezone

from projects.models import Role
from tests.workers import mails_in, wait_for

from .live_helpers import MINUTE, make_live_plan, mark, start_run

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_escalations_and_ready_notices_are_sent_once_through_the_worker(
    worker, project, members, cutover_manager
):
    from cutover.models import LateStepEscalation, StepReadyNotice
    from readiness.celery import app

    _, mail_dir = worker
    window = timezone.now() - 100 * MINUTE  # step 2 has been ready for 40 minutes
    version, steps = make_live_plan(project, members, window_start=window)
    run = start_run(version, members)
    pm = members[Role.PROJECT_MANAGER]
    mark(run, steps[1], "started", window, pm)
    mark(run, steps[1], "done", window + 60 * MINUTE, pm)
    # Beat sends the sweep every 3 minutes; twice here, as two overlapping beats might.
    app.send_task("cutover.tasks.cutover_late_steps_escalate_task")
    app.send_task("cutover.tasks.cutover_late_steps_escalate_task")
    app.send_task("cutover.tasks.cutover_steps_ready_notify_task", args=[run.pk, steps[1].pk])
    app.send_task("cutover.tasks.cutover_steps_ready_notify_task", args=[run.pk, steps[1].pk])

    def both_told():
        return (
            LateStepEscalation.objects.filter(run=run).exists()
            and StepReadyNotice.objects.filter(run=run).exists()
        )

    wait_for(both_told, message="the worker did not escalate step 2 and announce it")
    time.sleep(2)  # let the second of each finish: it must find nothing to send
    subjects = sorted(message["Subject"] for message in mails_in(mail_dir))
    assert subjects == [
        f"[{project.name}] Late: step 2 Migrate data (40 min)",
        f"[{project.name}] Step 2 can start: Migrate data",
    ]
