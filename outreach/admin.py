from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outreach.models import Team, Venue
from regions import access


class ScopedAdmin(SimpleHistoryAdmin):
    """Staff keep venues and teams of their own regions; `region_field` is the path to the Region."""

    region_field = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(access.region_q(request.user, self.region_field))

    def has_module_permission(self, request):
        return access.can_write(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_add_permission(self, request):
        return access.can_write(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_write(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("village", "office"):
            kwargs["queryset"] = access.visible_regions(request.user)
        if db_field.name == "leader":
            kwargs["queryset"] = access.colleagues(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = access.colleagues(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    region_field = "village"
    list_display = ["name", "type", "village", "contact_name", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "address", "village__name", "^village__code"]
    autocomplete_fields = ["village"]
    list_select_related = ["village"]


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    region_field = "office"
    list_display = ["name", "office", "leader"]
    search_fields = ["name"]
    autocomplete_fields = ["office"]
    filter_horizontal = ["members"]
    list_select_related = ["office", "leader"]
