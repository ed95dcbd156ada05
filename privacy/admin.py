from django.contrib import admin

from .models import RawTextAccess


@admin.register(RawTextAccess)
class RawTextAccessAdmin(admin.ModelAdmin):
    """The audit trail, readable by admins and changeable by nobody."""

    list_display = ("created_at", "user", "object_type", "object_id", "reason")
    list_filter = ("object_type", "created_at")
    search_fields = ("user__username", "object_type", "object_id", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
