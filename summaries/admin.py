from django.contrib import admin

from core.admin import ReadOnlyAdmin
from summaries.models import SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(ReadOnlyAdmin):
    list_display = ["review", "status", "requested_by", "created_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["review", "requested_by"]
