"""Overdue mitigation actions told to the project's webhooks (Celery beat, hourly).

Once per action and due date: the event's ``once_key`` names both, so a second sweep, a
concurrent one or a retried task publishes nothing more, and an action whose due date moves
and passes again is told again. Only projects with a webhook that wants the event are read.
"""

from django.utils import timezone

from risks.models import OPEN_ACTION_STATUSES, MitigationAction
from webhooks.models import WebhookEventType
from webhooks.services import projects_subscribed_to, published_once_keys, webhook_event_publish


def _once_key(action):
    return f"action-overdue-{action.pk}-{action.due_date.isoformat()}"


def actions_overdue_publish(*, today=None):
    """Publish "action overdue" for every open action past its due date not told yet.
    Returns the ids of the actions published now."""
    today = today or timezone.localdate()
    project_ids = projects_subscribed_to(WebhookEventType.ACTION_OVERDUE)
    if not project_ids:
        return []
    actions = list(
        MitigationAction.objects.filter(
            risk__project_id__in=project_ids, status__in=OPEN_ACTION_STATUSES, due_date__lt=today
        )
        .select_related("risk__project", "owner")
        .order_by("due_date", "pk")
    )
    told = published_once_keys(project_ids, [_once_key(action) for action in actions])
    published = []
    for action in actions:
        if _once_key(action) in told:
            continue
        risk = action.risk
        days = (today - action.due_date).days
        if webhook_event_publish(
            project=risk.project, event=WebhookEventType.ACTION_OVERDUE,
            title=f"Overdue: {action.description[:120]}",
            text=f"The action “{action.description}” of {risk.reference} “{risk.title}” was due "
            f"on {action.due_date:%d %b %Y} ({days} day{'s' if days != 1 else ''} ago). "
            f"Owner: {action.owner}.",
            url=action.get_absolute_url(), once_key=_once_key(action),
            data={"action_id": action.pk, "finding_id": risk.pk,
                  "due_date": action.due_date.isoformat(), "owner": str(action.owner)},
        ):  # fmt: skip
            published.append(action.pk)
    return published
