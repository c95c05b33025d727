"""Small presentation filters used across the site's templates."""

from django import template

from accounts.models import Role
from reviews.models import ItemStatus, SignoffRole

# Label lookups as plain dicts: get_FOO_display() is slow when called for hundreds of rows.
STATUS_LABELS = dict(ItemStatus.choices)
SIGNOFF_ROLE_LABELS = dict(SignoffRole.choices)

register = template.Library()


@register.filter
def absolute(value):
    return abs(value) if value is not None else value


@register.filter
def role_label(role):
    return dict(Role.choices).get(role, role or "")


@register.simple_tag(takes_context=True)
def my_signoff(context, item):
    """The current user's standing sign-off on an item (approve or reject), if any."""
    user = context["request"].user
    for record in item.signoff.current:
        if record.signer_id == user.pk:
            return record
    return None


STATUS_STYLES = {
    "not_started": "text-bg-light border",
    "in_progress": "text-bg-info",
    "done": "text-bg-success",
    "at_risk": "text-bg-warning",
    "not_applicable": "text-bg-secondary",
    "accepted_risk": "text-bg-dark",
}

SEVERITY_STYLES = {
    "blocker": "text-bg-danger",
    "high": "text-bg-warning",
    "medium": "text-bg-info",
    "low": "text-bg-light border",
}


@register.filter
def status_badge(status):
    return STATUS_STYLES.get(status, "text-bg-light border")


@register.filter
def severity_badge(severity):
    return SEVERITY_STYLES.get(severity, "text-bg-light border")


@register.filter
def signoff_role_label(role):
    return SIGNOFF_ROLE_LABELS.get(role, "Any approver")


FIELD_LABELS = {
    "status": "Status",
    "response": "Response",
    "owner": "Owner",
    "due_date": "Due date",
    "is_blocker": "Go-live blocker",
    "blocker_reason": "Blocker reason",
    "evidence": "Evidence",
}


@register.filter
def field_label(name):
    return FIELD_LABELS.get(name, str(name).replace("_", " ").capitalize())


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


BAR_ROW = 22


@register.filter
def bar_y(index):
    return index * BAR_ROW


@register.filter
def bar_chart_height(rows):
    return max(rows, 1) * BAR_ROW


@register.filter
def bar_width(percent, full):
    return round((percent or 0) * int(full) / 100)


@register.filter
def trend_markers(reviews):
    """Chart coordinates of each review's score, oldest first (reviews come newest first)."""
    ordered = list(reversed([r for r in reviews if getattr(r, "score", None)]))
    if not ordered:
        return []
    step = 540 / max(len(ordered) - 1, 1)
    return [
        {
            "review": review,
            "x": round(50 + index * step),
            "y": round(100 - review.score.percent * 0.9),
        }
        for index, review in enumerate(ordered)
    ]


@register.simple_tag
def trend_points(reviews):
    return " ".join(f"{p['x']},{p['y']}" for p in trend_markers(reviews))


@register.filter
def signoff_decision_label(decision):
    return {"approve": "approval", "reject": "rejection"}.get(decision, decision)
