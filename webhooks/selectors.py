"""Reads of the webhook pages, scoped to the project of the viewer's access."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404

from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

DELIVERY_LOG_LENGTH = 50


def webhooks_of_project(access):
    """The project's webhooks, each with its last delivery's status and time and its count of
    deliveries (a fixed number of queries whatever the number of webhooks)."""
    last = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-pk")
    return list(
        Webhook.objects.filter(project=access.project)
        .annotate(
            last_status=Subquery(last.values("status")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SUCCEEDED)),
        )
        .order_by("name", "pk")
    )


def webhook_get(access, pk):
    """One webhook of the viewer's project; another project's is a 404."""
    webhook = Webhook.objects.filter(project=access.project, pk=pk).first()
    if webhook is None:
        raise Http404("No such webhook in this project.")
    webhook.project = access.project
    return webhook


def delivery_log(webhook, *, limit=DELIVERY_LOG_LENGTH):
    """The webhook's latest deliveries with their events, newest first."""
    return list(
        WebhookDelivery.objects.filter(webhook=webhook)
        .select_related("event")
        .order_by("-created_at", "-pk")[:limit]
    )
