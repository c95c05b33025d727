"""Models of the reviews app, one module per concern."""

from .checklist import (
    SCOPE_ALL,
    ChecklistTemplate,
    Severity,
    SignoffRole,
    TemplateItem,
    TemplateSection,
)
from .project import Phase, Project, Scope, VoteRule
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

__all__ = [
    "SCOPE_ALL",
    "SETTLED_STATUSES",
    "ChecklistTemplate",
    "ItemEvidence",
    "ItemStatus",
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
    "TemplateItem",
    "TemplateSection",
    "VoteRule",
]
