"""The admin shows findings and actions read-only: every change goes through the
services in ``risks/services`` (permission rules, version check, history), which the
project pages call."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from risks.models import (
    AcceptanceExpiryNotice,
    MitigationAction,
    MitigationActionChange,
    Risk,
    RiskChange,
)


class ActionInline(admin.TabularInline):
    model = MitigationAction
    fields = ["description", "owner", "due_date", "status", "completed_at", "completed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "project", "type", "status", "likelihood", "impact",
                    "is_blocker", "raised_by", "updated_at"]  # fmt: skip
    list_filter = ["type", "status", "category", "is_blocker"]
    search_fields = ["title", "description", "project__name"]
    list_select_related = ["project", "raised_by"]
    inlines = [ActionInline]


@admin.register(MitigationAction)
class MitigationActionAdmin(ReadOnlyAdmin):
    list_display = ["description", "risk", "owner", "due_date", "status", "completed_at"]
    list_filter = ["status"]
    search_fields = ["description", "owner__email", "risk__title"]
    list_select_related = ["risk", "owner"]


@admin.register(RiskChange)
class RiskChangeAdmin(ReadOnlyAdmin):
    list_display = ["risk", "version", "user", "created_at", "note"]
    list_select_related = ["risk", "user"]


@admin.register(MitigationActionChange)
class MitigationActionChangeAdmin(ReadOnlyAdmin):
    list_display = ["action", "user", "created_at", "note"]
    list_select_related = ["action", "user"]


@admin.register(AcceptanceExpiryNotice)
class AcceptanceExpiryNoticeAdmin(ReadOnlyAdmin):
    """Who is to be told that a finding reopened when its acceptance expired; ``digest id``
    empty: not told yet (the next reminders digest tells them)."""

    list_display = ["risk", "recipient", "expired_on", "digest_id", "created_at"]
    list_select_related = ["risk", "recipient"]
