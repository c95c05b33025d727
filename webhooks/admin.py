from django.contrib import admin

from core.admin import ReadOnlyAdmin
from webhooks.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "format", "is_enabled", "consecutive_failures")
    list_filter = ("format", "is_enabled")
    search_fields = ("name", "project__name")
    exclude = ("secret",)
    readonly_fields = ("consecutive_failures", "disabled_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "webhook", "event", "status", "status_code", "attempts")
    list_filter = ("status",)
    list_select_related = ("webhook", "event")
