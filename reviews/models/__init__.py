"""Models of the reviews app, one module per concern."""

from .checklist import SCOPE_ALL, ChecklistTemplate, ItemSeverity, TemplateItem, TemplateSection
from .review import (
    SETTLED_STATUSES,
    SIGNOFF_STATUSES,
    STANDING_DECISIONS,
    ItemEvidence,
    ItemStatus,
    Review,
    ReviewItem,
    ReviewItemChange,
    ReviewSection,
    SignOff,
    SignOffDecision,
)
from .workshop import Workshop, WorkshopAttendee, WorkshopInvitation

__all__ = [
    "SCOPE_ALL",
    "SETTLED_STATUSES",
    "SIGNOFF_STATUSES",
    "STANDING_DECISIONS",
    "ChecklistTemplate",
    "ItemEvidence",
    "ItemSeverity",
    "ItemStatus",
    "Review",
    "ReviewItem",
    "ReviewItemChange",
    "ReviewSection",
    "SignOff",
    "SignOffDecision",
    "TemplateItem",
    "TemplateSection",
    "Workshop",
    "WorkshopAttendee",
    "WorkshopInvitation",
]
