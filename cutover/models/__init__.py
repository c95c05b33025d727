"""The cutover plan (versions, steps, dependencies, sign-offs) and its runs (rehearsals and
the live cutover: step events, checkpoint votes and outcomes)."""

from .live import LateStepEscalation, StepReadyNotice
from .plan import (
    STANDING_DECISIONS,
    CutoverPlan,
    PlanChange,
    PlanSignOff,
    PlanSignOffDecision,
    PlanStatus,
    PlanVersion,
    Step,
    StepCategory,
    StepChange,
    StepDependency,
)
from .rehearsals import PlannedRehearsal, RehearsalInvitation
from .runs import (
    CheckpointChoice,
    CheckpointOutcome,
    CheckpointVote,
    CutoverRun,
    RunKind,
    RunStatus,
    StepEvent,
    StepEventKind,
    StepFinding,
)

__all__ = [
    "STANDING_DECISIONS",
    "CheckpointChoice",
    "CheckpointOutcome",
    "CheckpointVote",
    "CutoverPlan",
    "CutoverRun",
    "LateStepEscalation",
    "PlanChange",
    "PlanSignOff",
    "PlanSignOffDecision",
    "PlanStatus",
    "PlanVersion",
    "PlannedRehearsal",
    "RehearsalInvitation",
    "RunKind",
    "RunStatus",
    "Step",
    "StepCategory",
    "StepChange",
    "StepDependency",
    "StepEvent",
    "StepEventKind",
    "StepFinding",
    "StepReadyNotice",
]
