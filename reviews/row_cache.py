"""The review page's item rows, rendered once and kept in the cache (issue 13).

A closed item row (status, title, badges, owner, due date, sign-off state and who is
awaited) is the same for everyone who may see it, until one of the things it shows
changes. Its cache key is built from those things, so an edit, a sign-off or a change of
the project's roles makes a new key and the stale row is never read again (it expires):
there is nothing to delete. The whole page's rows come in one ``get_many`` (one round trip
to Redis); rows not cached are rendered and stored with one ``set_many``. With the cache
down every row is rendered (core.cache logs the outage): slower, never an error.
"""

import functools
import hashlib

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.cache import safe_cache

ROW_TEMPLATE = "reviews/review_detail.html#item-row"
ROW_CACHE_SECONDS = 7 * 24 * 3600


@functools.cache
def markup_version():
    """A digest of the review page's template source: a deploy that changes the row's markup
    makes new keys, so rows rendered by the old template are never read."""
    source = get_template("reviews/review_detail.html").template.source
    return hashlib.blake2b(source.encode(), digest_size=4).hexdigest()


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
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=12).hexdigest()
    return f"item-row:{markup_version()}:{item.pk}:{digest}"


def attach_row_html(items, *, memberships, access):
    """Set ``row_html`` on each item: its closed row, from the cache or rendered now."""
    if not items:
        return items
    roles, viewer = roles_fingerprint(memberships), viewer_roles(access)
    keys = {item.pk: row_key(item, roles=roles, viewer=viewer) for item in items}
    cached = safe_cache.get_many(keys.values())
    template = get_template(ROW_TEMPLATE)
    rendered = {}
    for item in items:
        html = cached.get(keys[item.pk])
        if html is None:
            html = template.render({"item": item})
            rendered[keys[item.pk]] = html
        item.row_html = mark_safe(html)  # noqa: S308 (our own template's output)
    if rendered:
        safe_cache.set_many(rendered, ROW_CACHE_SECONDS)
    return items
