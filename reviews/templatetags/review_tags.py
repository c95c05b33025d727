"""Badges, labels and chart geometry of checklist items and readiness scores."""

from django import template

from reviews.models import ItemSeverity, ItemStatus, SignOff

# Label lookups as plain dicts: get_FOO_display() is slow when called for hundreds of rows.
STATUS_LABELS = dict(ItemStatus.choices)

register = template.Library()

STATUS_STYLES = {
    ItemStatus.NOT_STARTED: "text-bg-light border",
    ItemStatus.IN_PROGRESS: "text-bg-info",
    ItemStatus.DONE: "text-bg-success",
    ItemStatus.AT_RISK: "text-bg-warning",
    ItemStatus.NOT_APPLICABLE: "text-bg-secondary",
    ItemStatus.ACCEPTED_RISK: "text-bg-dark",
}

ITEM_SEVERITY_STYLES = {
    ItemSeverity.BLOCKER: "text-bg-danger",
    ItemSeverity.HIGH: "text-bg-warning",
    ItemSeverity.MEDIUM: "text-bg-info",
    ItemSeverity.LOW: "text-bg-light border",
}


@register.filter
def status_badge(status):
    return STATUS_STYLES.get(status, "text-bg-light border")


@register.filter
def item_severity_badge(severity):
    return ITEM_SEVERITY_STYLES.get(severity, "text-bg-light border")


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


@register.filter
def signoff_decision_label(decision):
    return {SignOff.Decision.APPROVE: "approval", SignOff.Decision.REJECT: "rejection"}.get(
        decision, decision
    )


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
    step = 500 / max(len(ordered) - 1, 1)
    return [
        {
            "review": review,
            "x": round(70 + index * step),
            "y": round(110 - review.score.percent * 0.9),
            "date": _day(review.scheduled_date or review.created_at.date()),
            "label": f"{review.score.percent}%",
        }
        for index, review in enumerate(ordered)
    ]


@register.simple_tag
def trend_points(reviews):
    return " ".join(f"{p['x']},{p['y']}" for p in trend_markers(reviews))


def _day(value):
    return f"{value.day} {value:%b %Y}"
