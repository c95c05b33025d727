"""Deliveries to a real receiver on 127.0.0.1: signature and event id, retries on 5xx and
on no answer, 4xx and redirects failing at once, disabling after failures in a row with the
project managers told, and a delivered event never posted twice."""

import socket
import uuid

import pytest
from django.core import mail

from projects.models import Role
from webhooks import services, tasks
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.usefixtures("fast_settings")


@pytest.fixture
def publish(project, django_capture_on_commit_callbacks):
    def publish_one(title="Decision: Go — Review 1", event="decision.recorded", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return services.webhook_event_publish(
                project=project, event=event, title=title, text="The team decided.",
                url="/projects/1/", actor="Pat Manager", **extra,
            )  # fmt: skip

    return publish_one


def test_delivery_is_signed_and_carries_the_event_id(receiver, make_webhook, publish, project):
    webhook = make_webhook(receiver.url)
    event = publish()
    [request] = receiver.received
    assert request.path == "/hooks/readiness"
    assert request.signature_ok(webhook.secret)
    assert not request.signature_ok("another secret")
    assert request.headers["X-Readiness-Event"] == "decision.recorded"
    assert request.headers["X-Readiness-Event-Id"] == str(event.pk)
    assert uuid.UUID(request.headers["X-Readiness-Event-Id"]).version == 4
    body = request.json
    assert body["id"] == str(event.pk)
    assert body["event"] == "decision.recorded"
    assert body["project"] == {"id": project.pk, "name": project.name}
    assert body["title"] == "Decision: Go — Review 1"
    assert body["url"] == "https://readiness.example.com/projects/1/"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("succeeded", 200, 1)
    assert delivery.response_excerpt == "ok"


def test_a_rotated_secret_signs_the_next_delivery(receiver, make_webhook, publish, members):
    webhook = make_webhook(receiver.url)
    old_secret = webhook.secret
    webhook = services.webhook_secret_rotate(
        webhook=webhook, acting_user=members[Role.PROJECT_MANAGER]
    )
    assert webhook.secret != old_secret
    publish()
    assert receiver.received[0].signature_ok(webhook.secret)
    assert not receiver.received[0].signature_ok(old_secret)


def test_a_500_is_tried_again_then_delivered_with_the_same_event_id(
    receiver, make_webhook, publish
):
    make_webhook(receiver.url)
    receiver.answer_with((500, b"oops"), (503, b"busy"))
    event = publish()
    assert receiver.event_ids() == [str(event.pk)] * 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("succeeded", 3, 200)
    assert Webhook.objects.get().consecutive_failures == 0


def test_a_4xx_fails_at_once_and_is_not_tried_again(receiver, make_webhook, publish):
    make_webhook(receiver.url)
    receiver.answer_with((410, b"Gone: this channel was archived"))
    publish()
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("failed", 1, 410)
    assert delivery.response_excerpt == "Gone: this channel was archived"
    assert Webhook.objects.get().consecutive_failures == 1


def test_a_redirect_is_not_followed(receiver, make_webhook, publish):
    make_webhook(receiver.url)
    receiver.answer_with((302, b""))
    publish()
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.status_code) == ("failed", 302)
    assert delivery.response_excerpt.startswith("Redirects are not followed")


def _closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


def test_no_answer_is_tried_the_maximum_number_of_times(make_webhook, publish, fast_settings):
    make_webhook(_closed_port_url())
    publish()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", fast_settings.WEBHOOK_MAX_TRIES)
    assert delivery.status_code is None
    assert "ConnectionRefusedError" in delivery.response_excerpt


def test_a_slow_receiver_times_out_quickly(receiver, make_webhook, publish, fast_settings):
    make_webhook(receiver.url)
    receiver.answer_with(*[(200, b"late", "text/plain", 1.5)] * 3)
    publish()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "timed out" in delivery.response_excerpt.lower()


def test_failures_in_a_row_disable_the_webhook_and_tell_the_project_managers(
    receiver, make_webhook, publish, members, project, fast_settings
):
    webhook = make_webhook(receiver.url)
    receiver.default = (404, b"no such hook")
    publish("First")
    assert Webhook.objects.get().is_enabled
    assert mail.outbox == []
    publish("Second")
    webhook.refresh_from_db()
    assert not webhook.is_enabled
    assert webhook.consecutive_failures == 2
    assert "after 2 failed deliveries in a row" in webhook.disabled_reason
    assert "HTTP 404" in webhook.disabled_reason
    [message] = mail.outbox
    assert message.to == [members[Role.PROJECT_MANAGER].email]
    assert f"Webhook “{webhook.name}” disabled" in message.subject
    assert f"https://readiness.example.com{webhook.get_absolute_url()}" in message.body
    # Disabled: the next event is not delivered (nor recorded) to it.
    assert publish("Third") is None
    assert len(receiver.received) == 2
    # Enabled again: the count starts from zero and deliveries resume.
    receiver.default = (200, b"ok")
    services.webhook_enable(webhook=webhook, acting_user=members[Role.PROJECT_MANAGER])
    webhook.refresh_from_db()
    assert (webhook.is_enabled, webhook.consecutive_failures, webhook.disabled_reason) == (
        True, 0, ""
    )  # fmt: skip
    publish("Fourth")
    assert receiver.received[-1].json["title"] == "Fourth"


def test_a_success_resets_the_failures_in_a_row(receiver, make_webhook, publish):
    make_webhook(receiver.url)
    receiver.answer_with((400, b"bad"))
    publish("First")
    assert Webhook.objects.get().consecutive_failures == 1
    publish("Second")
    assert Webhook.objects.get().consecutive_failures == 0
    assert Webhook.objects.get().is_enabled


def test_a_delivered_event_is_never_posted_again(receiver, make_webhook, publish):
    make_webhook(receiver.url)
    event = publish()
    delivery = WebhookDelivery.objects.get()
    # The broker hands the task out again (a worker died before its ack), and the fan-out too.
    tasks.webhook_delivery_send_task.delay(delivery.pk)
    tasks.webhook_events_deliver_task.delay([str(event.pk)])
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_disabled_webhook_is_not_sent_a_waiting_delivery(
    receiver, make_webhook, project, members
):
    webhook = make_webhook(receiver.url)
    event = services.webhook_event_publish(
        project=project, event="vote.opened", title="Vote open", url=""
    )  # the commit never runs here: the delivery waits
    services.webhook_disable(webhook=webhook, acting_user=members[Role.PROJECT_MANAGER])
    tasks.webhook_events_deliver_task.delay([str(event.pk)])
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_the_answer_kept_is_short_text(receiver, make_webhook, publish):
    make_webhook(receiver.url)
    receiver.answer_with((200, ("x" * 2000).encode() + b"\x00\x1b[31m"))
    publish("Long")
    excerpt = WebhookDelivery.objects.get().response_excerpt
    assert len(excerpt) == 300
    assert excerpt.endswith("…")
    receiver.answer_with((200, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"))
    publish("Binary")
    assert WebhookDelivery.objects.order_by("-pk").first().response_excerpt == (
        "(image/png answer, not stored)"
    )


def test_the_backoff_doubles_up_to_a_cap():
    assert [services.retry_countdown(attempt) for attempt in range(1, 6)] == [30, 60, 120, 240, 480]
    assert services.retry_countdown(20) == services.BACKOFF_MAX_SECONDS


def test_deliveries_left_waiting_are_enqueued_again(receiver, make_webhook, project):
    make_webhook(receiver.url)
    event = services.webhook_event_publish(project=project, event="vote.opened", title="Open")
    WebhookDelivery.objects.update(
        created_at=event.created_at - services.timezone.timedelta(hours=1)
    )
    assert len(services.webhook_deliveries_requeue()) == 1
    assert len(receiver.received) == 1
    assert services.webhook_deliveries_requeue() == []


def test_a_broker_that_is_down_leaves_the_event_recorded(
    receiver, make_webhook, project, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    make_webhook(receiver.url)

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.webhook_events_deliver_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.webhook_event_publish(project=project, event="vote.opened", title="Open")
    assert WebhookEvent.objects.filter(pk=event.pk).exists()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert receiver.received == []


def test_a_transaction_enqueues_its_events_together(
    make_webhook, project, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import transaction

    make_webhook("https://hooks.example.com/in")
    batches = []
    monkeypatch.setattr(tasks.webhook_events_deliver_task, "delay", batches.append)
    monkeypatch.setattr(services, "EVENTS_PER_TASK", 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        first = services.webhook_event_publish(project=project, event="vote.opened", title="1")
        try:
            with transaction.atomic():
                services.webhook_event_publish(project=project, event="vote.opened", title="2")
                raise RuntimeError("the inner change fails")
        except RuntimeError:
            pass
        third = services.webhook_event_publish(project=project, event="vote.opened", title="3")
        fourth = services.webhook_event_publish(project=project, event="vote.opened", title="4")
    assert len(callbacks) == 1
    assert batches[0][0] == str(first.pk)
    assert [event_id for batch in batches for event_id in batch][-2:] == [
        str(third.pk), str(fourth.pk)
    ]  # fmt: skip
    assert [len(batch) for batch in batches] in ([2, 2], [2, 1])
    assert WebhookEvent.objects.count() == 3
