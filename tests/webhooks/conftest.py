"""A real HTTP receiver on 127.0.0.1 for the deliveries, and webhooks pointing at it."""

import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass, field

import pytest

from projects.models import Role
from webhooks import services
from webhooks.models import SUBSCRIBABLE_EVENTS


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    def signature_ok(self, secret):
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Readiness-Signature", ""))


@dataclass
class Receiver:
    """Answers each POST with the next of ``answers`` (status, body[, content type, delay]),
    then with ``default``; keeps what it received."""

    url: str = ""
    answers: list = field(default_factory=list)
    default: tuple = (200, b"ok")
    received: list = field(default_factory=list)

    def answer_with(self, *answers):
        self.answers[:] = list(answers)

    def event_ids(self):
        return [request.headers["X-Readiness-Event-Id"] for request in self.received]


def _handler(receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, dict(self.headers), body))
            status, content, *rest = (
                receiver.answers.pop(0) if receiver.answers else receiver.default
            )
            content_type = rest[0] if rest else "text/plain; charset=utf-8"
            if len(rest) > 1:
                time.sleep(rest[1])
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/readiness"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


ALL_EVENTS = [value for value, _label in SUBSCRIBABLE_EVENTS]


@pytest.fixture
def make_webhook(project, members):
    def make(url, *, events=None, format="generic", name="Go-live channel"):
        return services.webhook_create(
            project=project, acting_user=members[Role.PROJECT_MANAGER], name=name, url=url,
            format=format, events=ALL_EVENTS if events is None else events,
        )  # fmt: skip

    return make


@pytest.fixture
def fast_settings(settings, monkeypatch):
    """Short timeouts and few tries, so the failing paths run in a blink; eager tasks retry
    in place (Celery runs an eager retry at once when it does not propagate the Retry)."""
    from readiness.celery import app

    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_MAX_TRIES = 3
    settings.WEBHOOK_MAX_FAILURES = 2
    settings.SITE_URL = "https://readiness.example.com"
    return settings
