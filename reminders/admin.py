from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reminders.models import ReminderDigest


class DigestStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ReminderDigest.Status.choices

    def queryset(self, request, queryset):
        unsent = queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        return {
            ReminderDigest.Status.SENT: queryset.filter(sent_at__isnull=False),
            ReminderDigest.Status.FAILED: queryset.filter(failed_at__isnull=False),
            ReminderDigest.Status.SENDING: unsent.exclude(claim_token=""),
            ReminderDigest.Status.WAITING: unsent.filter(claim_token=""),
        }.get(self.value(), queryset)


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ReadOnlyAdmin):
    """Site staff see which digests went, which wait, and the relay's answer for the ones it
    refused for good (those are never retried: fix the address, the next day's digest goes)."""

    list_display = [
        "date", "recipient", "status_label", "item_count", "attempts", "sent_at", "failed_at",
        "last_error",
    ]  # fmt: skip
    list_filter = [DigestStatusFilter, "date"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "recipient__full_name", "last_error"]

    @admin.display(description="status")
    def status_label(self, digest):
        return ReminderDigest.Status(digest.status).label
