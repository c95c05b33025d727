"""Badges of findings and actions.

Filters rather than included templates: the register and the action lists show
hundreds of them per page, and a filter costs a fraction of an include.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from risks.models import ActionStatus, RiskType, SeverityBand

register = template.Library()

_SEVERITY_STYLE = {
    SeverityBand.CRITICAL: ("text-bg-danger", ""),
    SeverityBand.HIGH: ("text-dark", "background-color:#fd9843"),
    SeverityBand.MEDIUM: ("text-bg-warning", ""),
    SeverityBand.LOW: ("bg-success-subtle text-success-emphasis border border-success-subtle", ""),
}
_TYPE_CLASS = {
    RiskType.ASSERTION: "bg-success-subtle text-success-emphasis",
    RiskType.RISK: "bg-warning-subtle text-warning-emphasis",
    RiskType.ISSUE: "bg-danger-subtle text-danger-emphasis",
}


@register.filter
def severity_badge(risk):
    """ "High · 12" coloured by band; nothing for an unrated finding (an assertion)."""
    band = risk.severity
    if not band:
        return ""
    css, style = _SEVERITY_STYLE[band]
    return format_html(
        '<span class="badge {}"{} title="Likelihood {} × impact {} = {}">{} · {}</span>',  # noqa: RUF001
        css,
        format_html(' style="{}"', style) if style else "",
        risk.likelihood,
        risk.impact,
        risk.score,
        band.label,
        risk.score,
    )


@register.filter
def type_badge(risk):
    return format_html(
        '<span class="badge border {}">{}</span>',
        _TYPE_CLASS.get(risk.type, ""),
        risk.get_type_display(),
    )


@register.filter
def risk_flags(risk):
    """Go-live blocker and "no mitigation plan" (needs the ``no_mitigation_plan`` annotation)."""
    badges = []
    if risk.is_blocker:
        css = "text-bg-danger" if risk.is_active else "text-bg-secondary"
        badges.append(
            format_html(
                '<span class="badge {}"><i class="bi bi-sign-stop" aria-hidden="true"></i> '
                "Blocker</span>",
                css,
            )
        )
    if getattr(risk, "no_mitigation_plan", False):
        badges.append(
            mark_safe(
                '<span class="badge text-bg-light border border-danger text-danger-emphasis" '
                'title="Open, and no open action with an owner in the project and a due date">'
                '<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> '
                "No mitigation plan</span>"
            )
        )
    return format_html_join(" ", "{}", ((badge,) for badge in badges))


@register.filter
def action_status_badge(action):
    overdue = action.is_overdue
    if action.status == ActionStatus.DONE:
        css = "text-bg-success"
    elif action.status == ActionStatus.CANCELLED:
        css = "text-bg-secondary"
    elif overdue:
        css = "text-bg-danger"
    elif action.status == ActionStatus.IN_PROGRESS:
        css = "text-bg-primary"
    else:
        css = "text-bg-light border"
    return format_html(
        '<span class="badge {}">{}{}</span>',
        css,
        "Overdue · " if overdue else "",
        action.get_status_display(),
    )
