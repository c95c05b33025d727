"""Point the Celery app of this test process at a real (or a dead) broker, then restore it.

The tests run tasks eagerly (tests/settings.py); the broker-down and real-worker tests
switch eager mode off and publish for real. Celery caches its connection pools, so they
are dropped on the way in and on the way out.
"""

import contextlib
import socket


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _drop_pools(app):
    from kombu import pools

    # kombu keeps pools in a global registry keyed by connection: reset it, or a pool
    # closed here would be handed out again for the same URL.
    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def publishing_to(broker_url, *, queue=None):
    from readiness.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue", "task_publish_retry",
            "broker_connection_timeout", "broker_connection_retry", "broker_connection_max_retries")  # fmt: skip
    saved = {key: app.conf[key] for key in keys}
    _drop_pools(app)
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    app.conf.task_publish_retry = False
    app.conf.broker_connection_timeout = 2
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    if queue:
        app.conf.task_default_queue = queue
    try:
        yield app
    finally:
        _drop_pools(app)
        for key, value in saved.items():
            app.conf[key] = value
