"""The register's rows and Actions by owner's, rendered once and kept in the cache under
what they show (core.fragments): a change to a finding, its actions or the date makes a
new key, so a stale row is never read."""

from django.utils import timezone
from django.utils.safestring import mark_safe

from core.fragments import attach_cached_html, fragment_key

REGISTER_ROW = "risks/register.html#register-row"
OWNER_ACTION_ROW = "risks/includes/_owner_actions.html#owner-action-row"
MY_ACTION_ROW = "risks/my_actions.html#my_action_row"
# A cached My actions row holds this where its status form's CSRF token goes; each page
# puts the viewer's own token in its place, so no token is ever cached.
CSRF_PLACEHOLDER = "csrf-token-placeholder-of-the-viewer"


def _register_facts(risk):
    """Everything a register row shows, and the date (for "overdue")."""
    next_action = risk.next_action
    return (
        timezone.localdate(), risk.url, risk.number, risk.title, risk.get_category_display(),
        risk.review_item.title if risk.review_item else None, risk.type,
        risk.get_type_display(), risk.area.title if risk.area else None, risk.status,
        risk.get_status_display(), risk.likelihood, risk.impact, risk.is_blocker,
        risk.no_mitigation_plan, risk.open_action_count,
        (next_action.owner, next_action.due_date, next_action.status) if next_action else None,
    )  # fmt: skip


def register_row_key(risk):
    return fragment_key("register-row", REGISTER_ROW, risk.pk, _register_facts(risk))


def attach_register_rows(risks):
    """Set ``row_html`` on each row of a register page (rows from ``register_page``)."""
    return attach_cached_html(
        risks, template_name=REGISTER_ROW, key=register_row_key, context=lambda risk: {"risk": risk}
    )


def attach_owner_action_rows(groups, *, can_reassign):
    """Set ``row_html`` on each listed action of Actions by owner's groups."""
    actions = []
    for group in groups:
        for action in group.actions:
            action.owner_left = not group.is_member  # its box comes ticked, to reassign
            actions.append(action)

    def facts(action):
        return (
            timezone.localdate(), can_reassign, action.owner_left, action.description,
            action.risk_url, action.risk.number, action.risk.title, action.due_date,
            action.status,
        )  # fmt: skip

    return attach_cached_html(
        actions,
        template_name=OWNER_ACTION_ROW,
        key=lambda action: fragment_key(
            "owner-action-row", OWNER_ACTION_ROW, action.pk, facts(action)
        ),
        context=lambda action: {"action": action, "can_reassign": can_reassign},
    )


REGISTER_FILTERS = "risks/register.html#filter-fields"


def _filter_facts(form):
    """What the register's filter fields show: the values submitted and every choice."""
    submitted = [(name, form.data.getlist(name)) for name in form.fields] if form.is_bound else []
    choices = [list(getattr(field, "choices", ())) for field in form.fields.values()]
    return (form.auto_id, submitted, choices)


def attach_filter_fields(form):
    """Set ``fields_html`` on the register's filter form: its fields (a dozen selects with
    their options) drawn once per submitted values and choices."""
    attach_cached_html(
        [form],
        template_name=REGISTER_FILTERS,
        key=lambda form: fragment_key("register-filters", REGISTER_FILTERS, 0, _filter_facts(form)),
        context=lambda form: {"form": form},
        attr="fields_html",
    )
    return form


def attach_my_action_rows(actions, *, next_url, csrf_token):
    """Set ``row_html`` on each row of a My actions page (rows from
    ``my_open_actions_page``, with their links), with the viewer's ``csrf_token``."""

    def facts(action):
        risk = action.risk
        return (
            timezone.localdate(), next_url, action.description, action.notes, action.due_date,
            action.status, action.risk_url, action.status_url, action.edit_url, risk.number,
            risk.title, risk.project.name,
        )  # fmt: skip

    attach_cached_html(
        actions,
        template_name=MY_ACTION_ROW,
        key=lambda action: fragment_key("my-action-row", MY_ACTION_ROW, action.pk, facts(action)),
        context=lambda action: {"action": action, "next": next_url, "csrf_token": CSRF_PLACEHOLDER},
    )
    for action in actions:
        # The token is letters and digits (django.middleware.csrf), nothing to escape.
        action.row_html = mark_safe(action.row_html.replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S308
    return actions
