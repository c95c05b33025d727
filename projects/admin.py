from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User
from projects.models import Membership, Project


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role"]
    list_filter = ["role"]
    search_fields = ["project__name", "user__email", "user__full_name"]
    autocomplete_fields = ["project", "user"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["project"]


class UserWithMembershipsAdmin(UserAdmin):
    """The accounts app's user admin, with the person's project memberships below."""

    inlines = [*UserAdmin.inlines, UserMembershipInline]


admin.site.unregister(User)
admin.site.register(User, UserWithMembershipsAdmin)
