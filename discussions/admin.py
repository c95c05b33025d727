from django.contrib import admin

from discussions.models import Comment, CommentRevision, Thread, ThreadEvent


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ("author", "body", "created_at", "edited_at", "withdrawn_at")
    readonly_fields = fields
    can_delete = False


class ThreadEventInline(admin.TabularInline):
    model = ThreadEvent
    extra = 0
    readonly_fields = ("action", "user", "created_at")
    can_delete = False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = (
        "subject_label",
        "subject_kind",
        "project",
        "asked_by",
        "created_at",
        "resolved_at",
    )
    list_filter = ("subject_kind", "project")
    search_fields = ("subject_label", "comments__body")
    readonly_fields = ("project", "subject_kind", "subject_id", "asked_by", "created_at")
    inlines = [CommentInline, ThreadEventInline]


@admin.register(CommentRevision)
class CommentRevisionAdmin(admin.ModelAdmin):
    list_display = ("comment", "written_at", "replaced_at")
    readonly_fields = ("comment", "body", "written_at", "replaced_at")
