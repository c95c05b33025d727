from django.contrib import admin

from core.admin import ReadOnlyAdmin
from decisions.models import Decision, GateCriterion, Vote


class VoteInline(admin.TabularInline):
    model = Vote
    fields = ["voter", "choice", "comment", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["review", "status", "outcome", "recorded_by", "recorded_at", "reverted_at"]
    list_filter = ["status", "outcome"]
    list_select_related = ["review", "recorded_by"]
    inlines = [VoteInline]


@admin.register(GateCriterion)
class GateCriterionAdmin(ReadOnlyAdmin):
    """Read-only: criteria change through the settings page (``services_criteria``)."""

    list_display = ["project", "kind", "builtin_key", "metric", "label", "enabled", "order"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["project"]
