"""The review page's item rows and readiness panel, rendered once and kept in the cache
(issue 13).

A closed item row (status, title, badges, owner, due date, sign-off state and who is
awaited) is the same for everyone who may see it, until one of the things it shows
changes. Its cache key is built from those things, so an edit, a sign-off or a change of
the project's roles makes a new key and the stale row is never read again (it expires):
there is nothing to delete (core.fragments: one ``get_many`` for the page's rows, one
``set_many`` for those rendered now; with the cache down, every row is rendered).

The readiness panel is kept the same way, under the figures it shows, and so is the
checklist as a whole, under its rows' keys and its areas' figures: a page where nothing
changed is one cache read for all its rows.
"""

import hashlib

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.cache import safe_cache
from core.fragments import ROW_CACHE_SECONDS, attach_cached_html, fragment_key, template_digest
from reviews.selectors.items import decorate_items

ROW_TEMPLATE = "reviews/review_detail.html#item-row"
CHECKLIST_TEMPLATE = "reviews/review_detail.html#checklist"
PANEL_TEMPLATE = "reviews/includes/_score_panel.html"
PANEL_INCLUDES = ("reviews/includes/_section_bars.svg.html",)


def markup_version():
    """A digest of the review page's template source (core.fragments.template_digest)."""
    return template_digest(ROW_TEMPLATE)


def roles_fingerprint(memberships):
    """What the awaited sign-offs of every row depend on: who holds which role (names too,
    since the row shows who is awaited)."""
    parts = sorted(
        (m.user_id, m.role, tuple(sorted(m.signoff_roles or ())), str(m.user), m.user.is_active)
        for m in memberships
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def viewer_roles(access):
    return f"{access.role}:{','.join(sorted(access.stakeholder_roles))}"


def row_key(item, *, roles, viewer):
    """The cache key of an item's closed row: the item, its version, its sign-off state,
    the project's roles and the viewer's own, and the few things shown that live outside
    the item (its owner's name, its findings, its open questions, whether its evidence expired: that changes with
    the date, not the version)."""
    signoffs = tuple((s.id, s.decision, s.superseded_at is None) for s in item.signoff_list)
    facts = (
        item.version, signoffs, roles, viewer, str(item.owner or ""), item.risk_count,
        item.to_reconfirm, item.has_expired_evidence, item.open_question_count,
    )  # fmt: skip
    return fragment_key("item-row", ROW_TEMPLATE, item.pk, facts)


def row_keys(items, *, memberships, access):
    """{item id: its row's key} for ``items``."""
    roles, viewer = roles_fingerprint(memberships), viewer_roles(access)
    return {item.pk: row_key(item, roles=roles, viewer=viewer) for item in items}


def attach_row_html(items, *, memberships, access, keys=None):
    """Set ``row_html`` on each item: its closed row, from the cache or rendered now
    (``keys``: the rows' keys when the caller has them, from ``row_keys``).

    The rows' links and the viewer's permissions (core.http.UrlTemplate, decorate_items)
    are worked out only when a row has to be rendered."""
    if not items:
        return items
    keys = keys or row_keys(items, memberships=memberships, access=access)
    decorated = False

    def context(item):
        nonlocal decorated
        if not decorated:
            decorate_items(access, items)
            decorated = True
        return {"item": item}

    return attach_cached_html(
        items,
        template_name=ROW_TEMPLATE,
        key=lambda item: keys[item.pk],
        context=context,
    )


def join_rows(sections):
    """``rows_html`` on each section of the page's ``(section, items, score)`` triples: its
    rows' cached HTML in one string, so the template prints one value per area."""
    for section, items, _ in sections:
        section.rows_html = mark_safe("".join(item.row_html for item in items))  # noqa: S308 (our rows)
    return sections


def panel_key(score, project):
    """The readiness panel's key: every figure it shows (``ReviewScore.as_dict``), its
    project (its findings link) and the markup of the templates it includes."""
    facts = (score.as_dict(), [template_digest(name) for name in PANEL_INCLUDES])
    return fragment_key("readiness-panel", PANEL_TEMPLATE, project.pk, facts)


def attach_panel_html(score, *, project):
    """Set ``panel_html`` on ``score``: the readiness panel, from the cache or rendered now."""
    attach_cached_html(
        [score],
        template_name=PANEL_TEMPLATE,
        key=lambda score: panel_key(score, project),
        context=lambda score: {"score": score, "project": project},
        attr="panel_html",
    )
    return score


def checklist_key(context, keys):
    """The key of the page's checklist (every area shown, with its rows): each area's
    facts and figures, its rows' own keys (``keys``, from ``row_keys``), the counts above
    the list and whether filters are set."""
    review = context["review"]
    areas = [
        (
            section.pk, section.key, section.title, section.purpose, section.expected_outcome,
            score.rag, vars(score.figures), [keys[item.pk] for item in items],
        )
        for section, items, score in context["sections"]
    ]  # fmt: skip
    facts = (review.pk, context["filtered"], context["items_shown"], context["items_total"], areas)
    return fragment_key("checklist", CHECKLIST_TEMPLATE, review.project_id, facts)


def attach_checklist_html(context, *, access):
    """Set ``checklist_html`` in the review page's ``context``: the checklist as a whole
    from the cache (one read when nothing in it changed), else built from the cached rows
    (attach_row_html) and stored."""
    items = [item for _, shown, _ in context["sections"] for item in shown]
    keys = row_keys(items, memberships=context["memberships"], access=access)
    key = checklist_key(context, keys)
    html = safe_cache.get_many([key]).get(key)
    if html is None:
        attach_row_html(items, memberships=context["memberships"], access=access, keys=keys)
        join_rows(context["sections"])
        html = get_template(CHECKLIST_TEMPLATE).render({**context, "project": access.project})
        safe_cache.set_many({key: html}, ROW_CACHE_SECONDS)
    context["checklist_html"] = mark_safe(html)  # noqa: S308 (our own template's output)
    return context
