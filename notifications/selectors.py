"""Reads of a person's notifications (always their own)."""

from notifications.models import DEFAULT_DELIVERY, Kind, Notification, NotificationPreference


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user):
    """The person's notifications, newest first, with what the list shows."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("project", "actor")
        .only(
            "pk",
            "kind",
            "title",
            "url",
            "created_at",
            "read_at",
            "project__id",
            "project__name",
            "actor__id",
            "actor__full_name",
            "actor__email",
        )
    )


def notification_of(user, pk):
    """One of the person's notifications, or None."""
    return Notification.objects.filter(recipient=user, pk=pk).first()


def preferences_of(user):
    """[(Kind, Delivery)] for every kind, the person's choice or the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind, DEFAULT_DELIVERY[kind])) for kind in Kind]
