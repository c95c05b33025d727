"""The demo webhook for `manage.py seed_demo`: one Teams channel, disabled (its address is an
example), so the page shows a webhook, its secret and the signature help without sending."""

from webhooks import services
from webhooks.models import Webhook, WebhookEventType

NAME = "Teams: Contoso go-live channel"


def seed_webhooks(seeded):
    project = seeded["project"]
    pm = seeded["people"]["pm@demo.example.com"]
    if Webhook.objects.filter(project=project, name=NAME).exists():
        return
    webhook = services.webhook_create(
        project=project, acting_user=pm, name=NAME,
        url="https://contoso.webhook.office.com/webhookb2/example", format="teams",
        events=[WebhookEventType.SIGNOFF_REJECTED, WebhookEventType.FINDING_RAISED,
                WebhookEventType.VOTE_OPENED, WebhookEventType.DECISION_RECORDED,
                WebhookEventType.CUTOVER_STEP_LATE, WebhookEventType.CHECKPOINT_REACHED],
    )  # fmt: skip
    services.webhook_disable(
        webhook=webhook, acting_user=pm,
        reason="Demo: an example address. Paste the channel's incoming-webhook URL, then enable.",
    )  # fmt: skip
