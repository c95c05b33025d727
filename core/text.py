"""Text that one member typed and that the app sends to others (e-mails, invitations).

Mail and calendar programs turn anything that looks like an address into a link. Text
typed by a member may carry a link to a look-alike log-in page; sent by the app, it would
seem to come from the app. So in what the app sends:

- links to the app's own pages (under SITE_URL) stay links;
- any other address is "defanged" (``hxxps://evil[.]example/...``): still readable,
  never a link;
- control characters are removed (they can break the lines of a mail or an invitation).

The pages and e-mails also say who wrote the text; that is up to each template.
"""

import re

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# Addresses with a scheme, or starting with www. (mail programs link both).
URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"'`]+")
# C0 controls except tab and line feed, DEL, and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def strip_control_characters(text, *, keep_newlines=True):
    """``text`` without control characters; a lone CR becomes a line feed (or a space)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    return text if keep_newlines else text.replace("\n", " ").replace("\t", " ")


def is_own_url(url):
    site = settings.SITE_URL.rstrip("/")
    return url == site or url.startswith(site + "/")


def has_foreign_url(*texts):
    """Whether any of ``texts`` holds an address that is not of this site."""
    return any(
        not is_own_url(_split_url(match)[0]) for text in texts for match in URL.finditer(str(text))
    )


def defang(url):
    """``https://evil.example/x`` -> ``hxxps://evil[.]example/x``: readable, never a link."""
    scheme, separator, rest = url.partition("://")
    if not separator:  # www.example.com/...
        scheme, rest = "", url
    host, slash, path = rest.partition("/")
    host = host.replace(".", "[.]")
    scheme = re.sub(r"(?i)^(h)tt(ps?)$", r"\1xx\2", scheme)
    return f"{scheme}{separator}{host}{slash}{path}"


def _split_url(match):
    """The address found, without the punctuation that ends the sentence around it."""
    url = match.group(0)
    stripped = url.rstrip(TRAILING_PUNCTUATION)
    return stripped, url[len(stripped) :]


def inert_text(text, *, keep_newlines=True):
    """Member text for a plain-text mail or an invitation: no control characters, and every
    address not of this site defanged."""

    def replace(match):
        url, tail = _split_url(match)
        return (url if is_own_url(url) else defang(url)) + tail

    return URL.sub(replace, strip_control_characters(text, keep_newlines=keep_newlines))


def inert_html(text):
    """Member text for an HTML mail: escaped, line breaks kept, addresses of this site
    linked, every other address defanged and not linked."""
    text = strip_control_characters(text)
    parts, last = [], 0
    for match in URL.finditer(text):
        url, tail = _split_url(match)
        parts.append(escape(text[last : match.start()]))
        if is_own_url(url):
            parts.append(format_html('<a href="{}">{}</a>', url, url))
        else:
            parts.append(escape(defang(url)))
        parts.append(escape(tail))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part escaped
