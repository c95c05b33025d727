"""Admin pieces every app uses."""

from django.contrib import admin
from django.utils import timezone

from core.models import Lease


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows without letting anyone add, change or delete them in the admin.

    What people decide is changed only through the services (permission rules,
    version checks, history), which the pages call.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lease)
class LeaseAdmin(ReadOnlyAdmin):
    """Which periodic job runs where right now (core/leases.py); a lease whose time has
    passed is free."""

    list_display = ["name", "holder", "taken_at", "expires_at", "held"]

    @admin.display(boolean=True)
    def held(self, lease):
        return lease.expires_at > timezone.now()
