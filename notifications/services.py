"""Telling people things in the app, and marking them read.

``notify`` is the one way in: the services of the apps above call it in the transaction
that did the thing (a new owner, a sign-off awaited, a mention...). Every notification shows
under the bell; who wants it by e-mail at once gets it from a task after the commit, who
wants it in the daily digest gets it there (the reminders sweep claims it
with the day's digest), and
"only here" sends nothing.

Some kinds already have an e-mail of their own, richer than a notification's line (the vote
that opened, the decision, a cutover step ready): their senders ask ``wants_email`` whom to
mail and pass ``emailed=True`` so the notification is not mailed a second time.
"""

from django.db import transaction
from django.utils import timezone

from notifications.models import DEFAULT_DELIVERY, Delivery, Notification, NotificationPreference


def deliveries_for(user_ids, kind):
    """{user id: Delivery} for ``kind``: each person's choice, else the default."""
    user_ids = {user_id for user_id in user_ids if user_id}
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY[kind]) for user_id in user_ids}


def wants_email(users, kind):
    """The ``users`` who want ``kind`` by e-mail at once, in their order."""
    users = list(users)
    deliveries = deliveries_for([user.pk for user in users], kind)
    return [user for user in users if deliveries.get(user.pk) == Delivery.EMAIL]


def notify(*, recipients, kind, title, url, project=None, actor=None, key="", emailed=False):
    """Tell each of ``recipients`` (users; inactive ones and the actor are left out) ``title``
    about the page at ``url`` (a path). With a ``key``, a person already told under that key
    is not told again. ``emailed``: the caller mails them itself (see ``wants_email``).

    Returns the notifications made.
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return []
    if key:
        told = set(
            Notification.objects.filter(recipient_id__in=people, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        people = {pk: user for pk, user in people.items() if pk not in told}
    deliveries = deliveries_for(people, kind)
    now = timezone.now()
    made = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            project=project,
            kind=kind,
            title=title[:300],
            url=url[:500],
            actor=actor,
            key=key[:200],
            delivery=deliveries[pk],
            created_at=now,
            emailed_at=now if emailed and deliveries[pk] == Delivery.EMAIL else None,
        )
        for pk in sorted(people)
    )
    to_mail = [n.pk for n in made if n.delivery == Delivery.EMAIL and n.emailed_at is None]
    if to_mail:
        from notifications import tasks  # tasks import these services

        transaction.on_commit(
            lambda: [tasks.notification_email_send_task.delay(pk) for pk in to_mail]
        )
    return made


def notification_email_send(*, notification_id):
    """E-mail one notification to its recipient, once: the row is claimed in the same
    transaction as the mail goes out (a mail fault rolls the claim back, so a retry sends)."""
    from notifications.mail import send_notification_email

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "project", "actor")
            .filter(pk=notification_id, emailed_at__isnull=True, delivery=Delivery.EMAIL)
            .first()
        )
        if notification is None:
            return "already sent"
        if not notification.recipient.is_active:
            return "recipient inactive"
        send_notification_email(notification)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return "sent"


def notifications_mark_read(*, user, ids=None):
    """Mark ``user``'s notifications read: those with ``ids``, or all of them. Returns how
    many were unread."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_save(*, user, choices):
    """Save ``user``'s {kind: delivery} choices; a choice equal to the default is stored too,
    so a later change of default does not change what the person chose."""
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": Delivery(delivery)}
        )
