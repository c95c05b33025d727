from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import Count

from accounts.models import AccessToken, RecoveryCodeDevice, User


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "digest_enabled", "digest_hour")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens can be looked at and revoked here; their secrets are never stored."""

    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "prefix", "secret_hash", "created_at", "last_used_at"]


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """Whose recovery codes exist and how many are left; deleting them takes them away (the
    person makes new ones on the profile). The codes themselves are never stored."""

    list_display = ["user", "codes_left", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    fields = readonly_fields = ["user", "name", "codes_left", "created_at", "last_used_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(left=Count("codes"))

    @admin.display(description="Codes left", ordering="left")
    def codes_left(self, device):
        return device.left

    def has_add_permission(self, request):
        return False
