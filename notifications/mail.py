"""The e-mail of one notification: its line, and a link to the page it is about."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.http import absolute_url


def send_notification_email(notification):
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "url": absolute_url(notification.url),
        "settings_url": absolute_url(reverse("notifications:preferences")),
    }
    subject = " ".join(render_to_string("emails/notification_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/notification.txt", context),
        to=[notification.recipient.email],
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    message.send()
