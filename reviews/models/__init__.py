"""Models of the reviews app, one module per concern."""

from .checklist import (
    SCOPE_ALL,
    ChecklistTemplate,
    Severity,
    SignoffRole,
    TemplateItem,
    TemplateSection,
)
from .decision import Decision, DecisionCondition, Outcome, Vote
from .project import Phase, Project, Scope, VoteRule
from .report import SummaryReport
from .review import (
    SETTLED_STATUSES,
    ItemEvidence,
    ItemStatus,
    Review,
    ReviewItem,
    ReviewItemChange,
    ReviewSection,
    SignOff,
)
from .workshop import Workshop, WorkshopAttendee

__all__ = [
    "SCOPE_ALL",
    "SETTLED_STATUSES",
    "ChecklistTemplate",
    "Decision",
    "DecisionCondition",
    "ItemEvidence",
    "ItemStatus",
    "Outcome",
    "Phase",
    "Project",
    "Review",
    "ReviewItem",
    "ReviewItemChange",
    "ReviewSection",
    "Scope",
    "Severity",
    "SignOff",
    "SignoffRole",
    "SummaryReport",
    "TemplateItem",
    "TemplateSection",
    "Vote",
    "VoteRule",
    "Workshop",
    "WorkshopAttendee",
]
