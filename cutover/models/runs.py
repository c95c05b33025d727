"""Runs of a plan version: rehearsals (mock cutovers) and the live cutover.

What happened is recorded as it happens and never rewritten (a version or a step that a
run used cannot be deleted; RESTRICT still lets a project's deletion take them all): a step's events are
append-only (a correction is a new event pointing at the one it corrects), checkpoint
votes are superseded by the voter's next vote, and a checkpoint has one outcome per run.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .plan import CutoverPlan, PlanVersion, Step


class RunKind(models.TextChoices):
    REHEARSAL = "rehearsal", "Rehearsal"
    LIVE = "live", "Live cutover"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    ROLLED_BACK = "rolled_back", "Rolled back"
    ABANDONED = "abandoned", "Abandoned"


class CutoverRun(models.Model):
    """One execution of a plan version: rehearsal N, or the live cutover."""

    plan = models.ForeignKey(CutoverPlan, on_delete=models.CASCADE, related_name="runs")
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.RESTRICT, related_name="runs")
    kind = models.CharField(max_length=10, choices=RunKind.choices)
    number = models.PositiveIntegerField(help_text="Rehearsal 1, 2, … within the plan.")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "number"], name="run_number_unique"),
            # One run at a time per plan: the board and the owners follow one sheet.
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="running"),
                name="run_one_running_per_plan",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="run_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["plan", "kind", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class StepEventKind(models.TextChoices):
    STARTED = "started", "Started"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CORRECTED = "corrected", "Corrected"


class StepEvent(models.Model):
    """Something that happened to a step in a run, at ``at`` (aware). Append-only."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="events")
    kind = models.CharField(max_length=10, choices=StepEventKind.choices)
    at = models.DateTimeField(help_text="When it happened (may differ from when it was recorded).")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="corrections"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "at", "pk"]
        indexes = [models.Index(fields=["run", "step", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="corrected", corrects__isnull=False)
                | (~models.Q(kind="corrected") & models.Q(corrects__isnull=True)),
                name="step_event_correction_names_its_event",
            )
        ]

    def __str__(self):
        return f"{self.step} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class CheckpointChoice(models.TextChoices):
    GO_ON = "go_on", "Go on"
    ROLL_BACK = "roll_back", "Roll back"


class CheckpointVote(models.Model):
    """An approver's vote at a checkpoint of a run; their next vote supersedes it."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="votes")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="checkpoint_votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=CheckpointChoice.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "step", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "step", "voter"],
                condition=models.Q(superseded_at__isnull=True),
                name="checkpoint_vote_one_standing_per_voter",
            )
        ]
        indexes = [models.Index(fields=["run", "step", "superseded_at"])]

    def __str__(self):
        return f"{self.voter}: {self.get_choice_display()} at {self.step}"


class CheckpointOutcome(models.Model):
    """What a checkpoint decided in a run, and when: go on, or roll back."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="outcomes")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="checkpoint_outcomes")
    outcome = models.CharField(max_length=10, choices=CheckpointChoice.choices)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="checkpoint_outcome_one_per_run")
        ]

    def __str__(self):
        return f"{self.step}: {self.get_outcome_display()}"


class StepFinding(models.Model):
    """A finding of the risk register raised from a step of a run: the link both pages show
    (the risks app sits below cutover, so the finding cannot point back; its description says
    where it came from)."""

    run = models.ForeignKey(CutoverRun, on_delete=models.CASCADE, related_name="findings")
    step = models.ForeignKey(Step, on_delete=models.RESTRICT, related_name="findings")
    risk = models.OneToOneField(
        "risks.Risk", on_delete=models.CASCADE, related_name="cutover_step_link"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run", "step", "created_at"]
        indexes = [models.Index(fields=["run", "step"])]

    def __str__(self):
        return f"{self.risk_id} from {self.step} in {self.run}"
