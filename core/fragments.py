"""Rows of long lists rendered once and kept in the cache, under a key made of what they
show (issue 13).

A row's key is a digest of the facts it shows (and of its template's source), so a change
to any of them makes a new key and a stale row is never read again (it expires): there is
nothing to delete. A page's rows come in one ``get_many`` (one round trip to Redis); the
rows not cached are rendered and stored with one ``set_many``. With the cache down every
row is rendered (core.cache logs the outage): slower, never an error.

A cached row must show nothing but its facts: no CSRF token, nothing of the viewer that
the facts leave out.
"""

import functools
import hashlib

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.cache import safe_cache

ROW_CACHE_SECONDS = 7 * 24 * 3600


@functools.cache
def template_digest(template_name):
    """A digest of a template file's source (``name#partial`` digests the whole file): a
    deploy that changes the markup makes new keys, so old rows are never read."""
    source = get_template(template_name.split("#")[0]).template.source
    return hashlib.blake2b(source.encode(), digest_size=4).hexdigest()


def fragment_key(prefix, template_name, pk, facts):
    """``prefix:<template digest>:<pk>:<digest of the facts>``."""
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=12).hexdigest()
    return f"{prefix}:{template_digest(template_name)}:{pk}:{digest}"


def attach_cached_html(objects, *, template_name, key, context, attr="row_html"):
    """Set ``attr`` on each object: its fragment from the cache, or ``template_name``
    rendered now with ``context(obj)`` (and stored). ``key(obj)`` is its cache key."""
    objects = list(objects)
    if not objects:
        return objects
    keys = [key(obj) for obj in objects]
    cached = safe_cache.get_many(keys)
    template = get_template(template_name)
    rendered = {}
    for obj, obj_key in zip(objects, keys, strict=True):
        html = cached.get(obj_key)
        if html is None:
            html = rendered.get(obj_key) or template.render(context(obj))
            rendered[obj_key] = html
        setattr(obj, attr, mark_safe(html))  # noqa: S308 (our own template's output)
    if rendered:
        safe_cache.set_many(rendered, ROW_CACHE_SECONDS)
    return objects
