"""``@mentions`` in comments: who a member's handle is, finding the handles a text names
among the project's members, and showing them highlighted.

A member's handle is the part of their e-mail address before the "@" (``@facilitator``), or
their whole address where two members share that part (``@sam@one.example``): e-mail
addresses have no spaces, so a handle ends where the word ends, and every member has one.
A handle that names nobody in the project stays plain text and tells nobody.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


def handles_of(users):
    """{handle: user} for ``users`` (a project's members), handles in lower case."""
    users = list(users)
    local_parts = {}
    for user in users:
        local_parts.setdefault(user.email.split("@")[0].lower(), []).append(user)
    handles = {}
    for user in users:
        local = user.email.split("@")[0].lower()
        handles[local if len(local_parts[local]) == 1 else user.email.lower()] = user
        handles.setdefault(user.email.lower(), user)
    return handles


def preferred_handles(users):
    """[(handle, user)] to show under the box: each member once, by name."""
    handles = handles_of(users)
    chosen = {}
    for handle, user in sorted(handles.items(), key=lambda pair: len(pair[0])):
        chosen.setdefault(user.pk, handle)
    people = sorted({user.pk: user for user in handles.values()}.values(), key=str)
    return [(chosen[user.pk], user) for user in people]


def _tokens(text):
    for match in MENTION.finditer(text or ""):
        yield match, match.group(1).rstrip(".").lower()


def mentions_in(text, members):
    """{handle: {"id", "name"}} of the project's ``members`` that ``text`` names."""
    handles = handles_of(members)
    found = {}
    for _, token in _tokens(text):
        user = handles.get(token)
        if user is not None:
            found[token] = {"id": user.pk, "name": str(user)}
    return found


def render_mentions(text, mentions):
    """``text`` escaped, with the handles in ``mentions`` highlighted; line breaks kept."""
    mentions = mentions or {}
    parts, last = [], 0
    for match, token in _tokens(text):
        if token not in mentions:
            continue
        end = match.start() + 1 + len(token)
        parts.append(escape(text[last : match.start()]))
        name = escape(mentions[token]["name"])
        parts.append(
            f'<span class="mention" title="{name}">@{escape(text[match.start() + 1 : end])}</span>'
        )
        last = end
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 (escaped above)
