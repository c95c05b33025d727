"""Posting one delivery over HTTP: signature, headers, timeout, no redirects, a short answer.

Built on the standard library's ``http.client`` so nothing here follows a redirect (a 3xx is
a failure like any other answer the receiver should not give) and at most a few kilobytes
of the answer are read.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
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


class AddressRefused(Exception):
    """The address points into a private network (or this host) and such addresses are not
    allowed here (WEBHOOK_ALLOW_PRIVATE_ADDRESSES): it will not change by trying again."""


def _is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host, port):
    """The address to connect to for ``host``: the first it resolves to. Unless private
    addresses are allowed, refused when any address it resolves to is not public (so a
    webhook cannot reach the database, the metadata service or an admin page inside the
    network); the connection then goes to the address checked, not to a second lookup."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise DeliveryError(f"The address does not resolve: {error}"[:EXCERPT_LENGTH]) from error
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        private = [address for address in addresses if not _is_public(address)]
        if private:
            raise AddressRefused(
                f"{host} is a private or local address ({private[0]}); webhooks go only to "
                "public addresses here."
            )
    return addresses[0]


def check_address(url):
    """For the form: a message when ``url``'s host is refused, else None (a host that does
    not resolve yet is let through: it may exist by the time of the first event)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    parts = urlsplit(url)
    try:
        resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except AddressRefused as refused:
        return str(refused)
    except DeliveryError:
        return None
    return None


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the host name kept for SNI and the
    certificate check."""

    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


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
    """POST ``body`` to ``url``; an Answer, DeliveryError when no answer came, or
    AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Only http and https addresses receive webhooks.")
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            parts.hostname, port, address=address, timeout=timeout,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        connection = _PinnedHTTPConnection(parts.hostname, port, address=address, timeout=timeout)
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
