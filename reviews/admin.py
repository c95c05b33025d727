from django.contrib import admin

from accounts.models import Membership
from reviews.models import Project


class ProjectMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "go_live_date", "phase"]
    list_filter = ["phase"]
    search_fields = ["name", "customer"]
    inlines = [ProjectMembershipInline]
    raw_id_fields = ["created_by"]
