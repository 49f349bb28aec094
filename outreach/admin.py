from django.contrib import admin

from outreach.models import Team, Venue
from regions import access
from regions.admin import ScopedModelAdmin


class OfficeAdmin(ScopedModelAdmin):
    """Venues and teams: scoped like every region-owned model; team people are colleagues."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "leader":
            kwargs["queryset"] = access.colleagues(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = access.colleagues(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Venue)
class VenueAdmin(OfficeAdmin):
    region_field = "village"
    list_display = ["name", "type", "village", "contact_name", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "address", "village__name", "^village__code"]
    autocomplete_fields = ["village"]
    list_select_related = ["village"]


@admin.register(Team)
class TeamAdmin(OfficeAdmin):
    region_field = "office"
    list_display = ["name", "office", "leader"]
    search_fields = ["name"]
    autocomplete_fields = ["office"]
    filter_horizontal = ["members"]
    list_select_related = ["office", "leader"]
