"""What the live board told people, once each: a step owner that their step can start, the
cutover manager that a step is late. A unique constraint per run and step makes a repeated
or concurrent task send nothing twice."""

from django.db import models
from django.utils import timezone

from .plan import Step
from .runs import CutoverRun


class StepReadyNotice(models.Model):
    """The owner (and backup) of ``step`` were told it can start in ``run``."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="ready_notices")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="+")
    notified_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True, help_text="The e-mail addresses told.")

    class Meta:
        ordering = ["run", "notified_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="step_ready_notice_once_per_run")
        ]

    def __str__(self):
        return f"{self.step} ready in {self.run}"


class LateStepEscalation(models.Model):
    """The cutover manager was told ``step`` ran late in ``run``, by ``late_minutes``."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="escalations")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="+")
    escalated_at = models.DateTimeField(default=timezone.now)
    late_minutes = models.PositiveIntegerField()
    recipients = models.JSONField(default=list, blank=True, help_text="The e-mail addresses told.")

    class Meta:
        ordering = ["run", "escalated_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="late_step_escalated_once_per_run")
        ]

    def __str__(self):
        return f"{self.step} late in {self.run}"
