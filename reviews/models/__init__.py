"""Models of the reviews app, one module per concern."""

from .checklist import SCOPE_ALL, ChecklistTemplate, ItemSeverity, TemplateItem, TemplateSection
from .review import (
    SETTLED_STATUSES,
    SIGNOFF_STATUSES,
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
    "SIGNOFF_STATUSES",
    "ChecklistTemplate",
    "ItemEvidence",
    "ItemSeverity",
    "ItemStatus",
    "Review",
    "ReviewItem",
    "ReviewItemChange",
    "ReviewSection",
    "SignOff",
    "TemplateItem",
    "TemplateSection",
    "Workshop",
    "WorkshopAttendee",
]
