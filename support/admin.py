from django.contrib import admin

from support.models import (
    EscalationLevel,
    HoursException,
    HypercareCheckIn,
    HypercareExitCriterion,
    KnowledgeTransferSession,
    LineContact,
    SupportLine,
    SupportPlan,
    SupportPlanChange,
    SupportPlanSignOff,
    WeeklyHours,
)


class LineInline(admin.TabularInline):
    model = SupportLine
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin):
    list_display = ("project", "status", "hypercare_weeks", "time_zone", "version")
    inlines = [LineInline]
    raw_id_fields = ("project", "created_by", "updated_by")


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class HoursExceptionInline(admin.TabularInline):
    model = HoursException
    extra = 0


class ContactInline(admin.TabularInline):
    model = LineContact
    extra = 0
    raw_id_fields = ("member",)


@admin.register(SupportLine)
class SupportLineAdmin(admin.ModelAdmin):
    list_display = ("plan", "level", "team", "order")
    inlines = [ContactInline, WeeklyHoursInline, HoursExceptionInline]


admin.site.register(EscalationLevel)
admin.site.register(KnowledgeTransferSession)
admin.site.register(HypercareExitCriterion)
admin.site.register(HypercareCheckIn)


@admin.register(SupportPlanSignOff)
class SupportPlanSignOffAdmin(admin.ModelAdmin):
    list_display = ("plan", "signer", "as_role", "decision", "created_at", "superseded_at")

    def has_change_permission(self, request, obj=None):
        return False  # append-only


@admin.register(SupportPlanChange)
class SupportPlanChangeAdmin(admin.ModelAdmin):
    list_display = ("plan", "user", "created_at", "version")

    def has_change_permission(self, request, obj=None):
        return False
