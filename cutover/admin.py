"""The admin shows cutover plans read-only: every change goes through ``cutover.services``
(permission rules, version check, history, new versions after sign-off), which the pages
call."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from cutover.models import (
    CheckpointOutcome,
    CheckpointVote,
    CutoverPlan,
    CutoverRun,
    LateStepEscalation,
    PlanChange,
    PlanSignOff,
    PlanVersion,
    Step,
    StepChange,
    StepEvent,
    StepReadyNotice,
)


class VersionInline(admin.TabularInline):
    model = PlanVersion
    fk_name = "plan"
    fields = ["number", "status", "window_start", "window_end", "time_zone", "buffer_minutes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CutoverPlan)
class CutoverPlanAdmin(ReadOnlyAdmin):
    list_display = ["project", "created_by", "created_at"]
    search_fields = ["project__name"]
    list_select_related = ["project", "created_by"]
    inlines = [VersionInline]


class StepInline(admin.TabularInline):
    model = Step
    fk_name = "plan_version"
    fields = ["number", "title", "category", "owner", "duration_minutes", "is_checkpoint",
              "is_rollback"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "status", "window_start", "window_end", "created_by"]
    list_filter = ["status"]
    list_select_related = ["plan__project", "created_by"]
    inlines = [StepInline]


@admin.register(PlanSignOff)
class PlanSignOffAdmin(ReadOnlyAdmin):
    list_display = ["plan_version", "signer", "as_role", "decision", "created_at", "superseded_at"]
    list_select_related = ["plan_version__plan__project", "signer"]


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdmin):
    list_display = ["plan_version", "version", "step_number", "user", "created_at", "note"]
    list_select_related = ["plan_version__plan__project", "user"]


@admin.register(StepChange)
class StepChangeAdmin(ReadOnlyAdmin):
    list_display = ["step", "version", "user", "created_at", "note"]
    list_select_related = ["step", "user"]


@admin.register(CutoverRun)
class CutoverRunAdmin(ReadOnlyAdmin):
    list_display = ["plan", "kind", "number", "status", "started_at", "ended_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["plan__project"]


@admin.register(StepEvent)
class StepEventAdmin(ReadOnlyAdmin):
    list_display = ["run", "step", "kind", "at", "by", "recorded_at"]
    list_select_related = ["run", "step", "by"]


@admin.register(CheckpointVote)
class CheckpointVoteAdmin(ReadOnlyAdmin):
    list_display = ["run", "step", "voter", "choice", "created_at", "superseded_at"]
    list_select_related = ["run", "step", "voter"]


@admin.register(CheckpointOutcome)
class CheckpointOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["run", "step", "outcome", "decided_at", "decided_by"]
    list_select_related = ["run", "step", "decided_by"]


@admin.register(StepReadyNotice)
class StepReadyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["run", "step", "notified_at", "recipients"]
    list_select_related = ["run", "step"]


@admin.register(LateStepEscalation)
class LateStepEscalationAdmin(ReadOnlyAdmin):
    list_display = ["run", "step", "late_minutes", "escalated_at", "recipients"]
    list_select_related = ["run", "step"]
