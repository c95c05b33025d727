"""The register's rows and Actions by owner's, rendered once and kept in the cache under
what they show (core.fragments): a change to a finding, its actions or the date makes a
new key, so a stale row is never read."""

from django.utils import timezone

from core.fragments import attach_cached_html, fragment_key

REGISTER_ROW = "risks/register.html#register-row"
OWNER_ACTION_ROW = "risks/includes/_owner_actions.html#owner-action-row"


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
