"""The e-mail to the project managers when a webhook is disabled after failing."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.http import absolute_url
from projects.models import Role
from projects.selectors import members_in_roles
from webhooks.models import Webhook


def webhook_disabled_notify(*, webhook_id):
    """Tell the project's managers that the webhook stopped, why, and where to enable it.
    Returns the addresses told (none when the webhook is enabled again meanwhile)."""
    webhook = Webhook.objects.select_related("project").filter(pk=webhook_id).first()
    if webhook is None or webhook.is_enabled:
        return []
    project = webhook.project
    recipients = [user.email for user in members_in_roles(project, [Role.PROJECT_MANAGER])]
    if not recipients:
        return []
    context = {
        "webhook": webhook, "project": project,
        "url": absolute_url(webhook.get_absolute_url()),
    }  # fmt: skip
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/webhook_disabled_subject.txt", context).split()),
        body=render_to_string("emails/webhook_disabled.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("emails/webhook_disabled.html", context), "text/html"
    )
    message.send()
    return recipients
