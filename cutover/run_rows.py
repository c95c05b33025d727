"""The run sheet's rows in run mode, written in Python rather than in the template.

As with the plan page's run sheet (``selectors.RunSheetLine.html``), the template engine
spent most of a 300-step page on the rows (bench/bench_rehearsal.py). The full page and a
mark's htmx answer both take their rows from here, so there is one copy of the markup.
Every text that people typed (titles, names, notes, findings) is escaped.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

MARK_CLASSES = {
    "done": "btn-success",
    "started": "btn-primary",
    "failed": "btn-outline-danger",
    "skipped": "btn-outline-secondary",
}
FINDING_ICON = '<i class="bi bi-exclamation-diamond" aria-hidden="true"></i>'


def _plural(count, word):
    return word if count == 1 else f"{word}s"


def _timing(row):
    state, step = row.state, row.step
    waits = ""
    if row.waits_for:
        numbers = ", ".join(map(str, row.waits_for))
        waits = f"Waits for {_plural(len(row.waits_for), 'step')} {numbers} · "
    owner = escape(step.owner_name) if step.owner_name else "no owner"
    if step.backup_name:
        owner += f" (backup {escape(step.backup_name)})"
    html = (
        f'<div class="small text-body-secondary">{waits}Planned {row.planned_start_text}&ndash;'
        f"{row.planned_end_text} ({step.duration_minutes} min) · {owner}</div>"
    )
    if state.actual_start is None:
        return html
    actual = f"Actual {row.actual_start_text}"
    if state.actual_end is not None:
        actual += f"&ndash;{row.actual_end_text}"
    if state.actual_end is not None and state.status != "skipped":
        tone = "text-danger-emphasis" if state.drift > 0 else "text-success-emphasis"
        actual += f' · <span class="{tone}">drift {state.drift_text}</span>'
    elif state.drift > 0:
        actual += f' · <span class="text-danger-emphasis">over by {state.drift} min</span>'
    return html + f'<div class="small">{actual}</div>'


def _history(row, correctable):
    if not row.events:
        return ""
    corrected = "".join(", corrected" for line in row.events if line.corrections)
    count = len(row.events)
    items = []
    for line in row.events:
        if line.corrections:
            when = (
                f'<s title="as recorded">{line.original_text}</s> → <strong>{line.at_text}</strong>'
            )
        else:
            when = line.at_text
        note = f": “{escape(line.note)}”" if line.note else ""
        link = f' · <a href="{line.correct_url}">correct</a>' if correctable else ""
        fixes = "".join(
            f'<div class="ms-3 text-body-secondary">corrected to {fix.at_text} by '
            f"{escape(fix.by)} on {fix.recorded_text}: “{escape(fix.note)}”</div>"
            for fix in line.corrections
        )
        items.append(f"<li>{line.label} {when} by {escape(line.by)}{note}{link}{fixes}</li>")
    return (
        f'<details class="small run-history"><summary>History ({count} '
        f"{_plural(count, 'mark')}{corrected})</summary>"
        f'<ul class="list-unstyled mb-1 ms-2">{"".join(items)}</ul></details>'
    )


def _findings(row):
    if not row.findings:
        return ""
    links = " ".join(
        f'<a href="{url}" class="badge text-wrap text-start text-bg-danger-subtle border '
        f'border-danger-subtle text-danger-emphasis text-decoration-none">{FINDING_ICON} '
        f"{escape(reference)} {escape(Truncator(title).chars(50))}</a>"
        for reference, title, url in row.findings
    )
    return f'<div class="small">{links}</div>'


def _marks(row, csrf_token, run_open):
    number = row.step.number
    marks = row.marks
    if row.can_mark and marks:
        buttons = "".join(
            f'<button type="submit" name="kind" value="{kind}" data-key="{key}" '
            f'aria-keyshortcuts="{key}" class="btn btn-sm {MARK_CLASSES[kind]}">{label} '
            f'<kbd class="d-none d-md-inline">{key}</kbd></button>'
            for kind, label, key in marks
        )
        return (
            f'<form class="run-marks d-flex flex-wrap gap-2 align-items-center mt-1" method="post" '
            f'action="{row.mark_url}" hx-post="{row.mark_url}" hx-target="#step-{number}" '
            f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{escape(csrf_token)}"><input type="hidden" name="seen" '
            f'value="{row.state.last_event_id}">{buttons}'
            f'<input type="text" name="note" maxlength="2000" class="form-control '
            f'form-control-sm run-note" placeholder="Note (optional)" '
            f'aria-label="Note for step {number}">'
            f'<a class="btn btn-sm btn-link" href="{row.finding_url}">{FINDING_ICON} Finding</a>'
            "</form>"
        )
    if row.can_record and run_open:
        return f'<a class="small" href="{row.finding_url}">{FINDING_ICON} Raise a finding</a>'
    return ""


def row_html(row, *, run_status, csrf_token, problem="", oob=False):
    """One ``<li>`` of the run sheet: the step, its times, status, history, findings and,
    for whoever may mark it now, its buttons and note."""
    state, step = row.state, row.step
    number = step.number
    classes = f"list-group-item run-row run-{state.status}"
    if state.late:
        classes += " run-late"
    if state.critical:
        classes += " run-critical"
    title = escape(step.title)
    if step.is_checkpoint:
        title += (
            ' <span class="badge text-bg-warning"><i class="bi bi-flag-fill" '
            'aria-hidden="true"></i> checkpoint</span>'
        )
    status = f'<span class="badge status-badge status-{state.status}">{state.status_label}</span>'
    if state.late:
        status += (
            ' <span class="badge text-bg-danger"><i class="bi bi-alarm" aria-hidden="true">'
            "</i> late</span>"
        )
    alert = (
        f'<div class="alert alert-warning py-1 px-2 my-1 small" role="alert">{escape(problem)}</div>'
        if problem
        else ""
    )
    not_abandoned = run_status != "abandoned"
    swap = ' hx-swap-oob="true"' if oob else ""
    return mark_safe(  # noqa: S308 (every text above is escaped)
        f'<li class="{classes}" id="step-{number}" tabindex="-1" data-step="{number}" '
        f'aria-labelledby="step-{number}-title"{swap}>'
        '<div class="d-flex gap-2 align-items-start">'
        f'<div class="run-number text-body-secondary text-end">{number}</div>'
        '<div class="flex-grow-1 min-w-0">'
        '<div class="d-flex flex-wrap justify-content-between gap-1">'
        f'<div class="fw-semibold" id="step-{number}-title">{title}</div>'
        f'<div class="run-status text-nowrap">{status}</div></div>'
        f"{_timing(row)}{alert}{_history(row, row.can_record and not_abandoned)}"
        f"{_findings(row)}{_marks(row, csrf_token, not_abandoned)}"
        "</div></div></li>"
    )
