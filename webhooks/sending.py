"""Posting one delivery over HTTP: signature, headers, timeout, no redirects, a short answer.

Built on the standard library's ``http.client`` so nothing here follows a redirect (a 3xx is
a failure like any other answer the receiver should not give) and at most a few kilobytes
of the answer are read.
"""

import hashlib
import hmac
import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.text import strip_control_characters

EVENT_HEADER = "X-Readiness-Event"
EVENT_ID_HEADER = "X-Readiness-Event-Id"
SIGNATURE_HEADER = "X-Readiness-Signature"
USER_AGENT = "readiness-webhooks/1"
EXCERPT_LENGTH = 300
READ_LIMIT = 4096
TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml")


class DeliveryError(Exception):
    """The receiver could not be reached, timed out or answered 5xx: worth trying again."""

    def __init__(self, message, *, status_code=None, excerpt=""):
        super().__init__(message)
        self.status_code = status_code
        self.excerpt = excerpt or message


@dataclass(frozen=True)
class Answer:
    status_code: int
    excerpt: str

    @property
    def succeeded(self):
        return 200 <= self.status_code < 300

    @property
    def transient(self):
        """5xx and 429 (too many requests) pass; any other answer will not change."""
        return self.status_code >= 500 or self.status_code == 429


def sign(secret, body):
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers_for(*, event, event_id, secret, body):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        EVENT_ID_HEADER: str(event_id),
        SIGNATURE_HEADER: sign(secret, body),
    }


def excerpt_of(raw, content_type):
    """Text only: a readable start of a text answer, a size for anything else."""
    if raw and not content_type.lower().startswith(TEXT_TYPES):
        return f"({content_type or 'untyped'} answer, not stored)"
    text = raw.decode("utf-8", errors="replace")
    text = " ".join(strip_control_characters(text, keep_newlines=False).split())
    return text[: EXCERPT_LENGTH - 1] + "…" if len(text) > EXCERPT_LENGTH else text


def post(url, body, headers):
    """POST ``body`` to ``url``; an Answer, or DeliveryError when no answer came."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Only http and https addresses receive webhooks.")
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(READ_LIMIT)
        return Answer(response.status, excerpt_of(raw, response.getheader("Content-Type", "")))
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, TLS
        raise DeliveryError(f"{type(error).__name__}: {error}"[:EXCERPT_LENGTH]) from error
    finally:
        connection.close()
