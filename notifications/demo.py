"""The demo's bell: seeding runs the real services, which tell people about everything they
set up at once. That is history, not news: the bell starts with each person's latest few
things (and every mention) unread."""

from django.utils import timezone

from notifications.models import Kind, Notification

UNREAD_PER_PERSON = 3


def settle_demo_notifications(project):
    rows = Notification.objects.filter(project=project, read_at__isnull=True)
    keep = []
    for recipient_id in set(rows.values_list("recipient_id", flat=True)):
        keep += list(
            rows.filter(recipient_id=recipient_id)
            .exclude(kind=Kind.MENTIONED)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:UNREAD_PER_PERSON]
        )
    rows.exclude(kind=Kind.MENTIONED).exclude(pk__in=keep).update(read_at=timezone.now())
