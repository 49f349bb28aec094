import datetime

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from regions import access
from regions.models import AuditAction, AuditEvent, OfficialFigure, Population, Region, Target, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The Kemendagri code list: read-only for staff (it comes from `import_regions`), scoped."""

    list_display = ["code", "name", "kind", "is_current"]
    list_filter = ["level", "kind", "is_current"]
    search_fields = ["^code", "name"]
    ordering = ["code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(access.region_q(request.user))

    def has_module_permission(self, request):
        return access.can_write(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedHistoryMixin:
    """simple-history's pages read the history table, not `get_queryset()`: without this an
    object outside the user's regions would show its whole past (names, NIBs, numbers).
    Its history answers 404 unless the object itself is in scope (a superuser sees all).
    Also refuses a NUL in a changelist's filters or search (PostgreSQL would raise)."""

    def _in_scope_or_404(self, request, object_id):
        if not request.user.is_superuser and self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def changelist_view(self, request, extra_context=None):
        # A NUL in a filter or search makes PostgreSQL raise (a 500): answer like any other
        # impossible filter, with the admin's "?e=1" page.
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(User)
class UserAdmin(ScopedHistoryMixin, SimpleHistoryAdmin, BaseUserAdmin):
    """Accounts, limited to the users whose regions lie inside the staff member's own."""

    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["regions"]
    staff_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Data diri"), {"fields": ["first_name", "last_name", "email", "phone"]}),
        (_("Tugas"), {"fields": ["role", "regions", "is_active"]}),
    ]
    fieldsets = [
        *staff_fieldsets,
        (_("Hak akses Django"), {"fields": ["is_superuser", "groups", "user_permissions"]}),
        (_("Waktu"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Tugas"), {"fields": ["first_name", "last_name", "email", "role", "regions"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.staff_fieldsets
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        return access.visible_users(request.user).prefetch_related("regions")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "regions":
            kwargs["queryset"] = access.visible_regions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = access.assignable_roles(request.user)
            kwargs["choices"] = [(value, label) for value, label in User.Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return access.can_manage_users(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_users(request.user)

    def has_add_permission(self, request):
        return access.can_manage_users(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_users(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ScopedModelAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """A model that belongs to a region: rows and region choices scoped through `access`,
    written by staff only. `region_field` is the path from the model to its Region."""

    region_field = "region"
    autocomplete_fields = ["region"]
    list_select_related = ["region"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(access.region_q(request.user, self.region_field))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.region_field:
            kwargs["queryset"] = access.visible_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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


class StaffInlineMixin:
    """Inlines of a scoped admin: the parent row is already in scope; staff may write."""

    def has_view_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_add_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_write(request.user)


class RegionFigureAdmin(ScopedModelAdmin):
    search_fields = ["^region__code", "region__name"]
    date_hierarchy = "as_of"


@admin.register(Population)
class PopulationAdmin(RegionFigureAdmin):
    list_display = ["region", "as_of", "population", "wajib_ktp", "children", "source"]


@admin.register(OfficialFigure)
class OfficialFigureAdmin(RegionFigureAdmin):
    list_display = ["region", "indicator", "as_of", "count", "source"]
    list_filter = ["indicator"]


@admin.register(Target)
class TargetAdmin(RegionFigureAdmin):
    """Targets of the user's regions; the national defaults (no region) are a superuser's to change."""

    list_display = ["indicator", "year", "region", "percent", "due"]
    list_filter = ["indicator", "year"]
    date_hierarchy = None

    def get_queryset(self, request):
        queryset = super(ScopedModelAdmin, self).get_queryset(request)
        scope = access.region_q(request.user, "region")
        # Q() (everything, for a superuser) | Q(...) would keep only the right-hand side.
        return queryset.filter(scope | Q(region__isnull=True)) if scope else queryset

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            form.base_fields["region"].required = True
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.region_id is None:
            return request.user.is_superuser
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedHistoryMixin, admin.ModelAdmin):
    """The audit log: read-only for everyone, scoped (staff see the events of their regions;
    events without a region, such as a superuser's sign-in, only a superuser sees).

    A breach notice's access report is this list filtered by username and date, e.g.
    `?username=alice&at__gte=2025-11-01&at__lt=2025-11-04`; a superuser downloads it as CSV with
    the action "Unduh laporan akses (CSV)" (or runs `python manage.py access_report`).
    """

    list_display = ["at_utc", "username", "action", "object_type", "object_id", "region_code", "ip_address", "source"]
    list_filter = ["action", "at", "source", "object_type"]
    search_fields = ["username", "=object_type", "=object_id", "^region_code"]
    date_hierarchy = "at"
    ordering = ["-at", "-pk"]
    show_full_result_count = False
    readonly_fields = ["at_utc", *(field.name for field in AuditEvent._meta.fields if field.name != "at")]
    actions = ["download_access_report"]

    @admin.display(description=_("waktu (UTC)"), ordering="at")
    def at_utc(self, event):
        return event.at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("download_access_report", None)
        return actions

    @admin.action(description=_("Unduh laporan akses (CSV)"))
    def download_access_report(self, request, queryset):
        from django.http import HttpResponse

        from regions import audit
        from regions.exports import export_rows

        if not request.user.is_superuser:
            raise Http404
        events = queryset.order_by("at", "pk")
        rows = [[event.username, *row] for event, row in zip(events, audit.report_rows(events))]
        content, content_type = export_rows(rows, header=["username", *audit.REPORT_HEADER], fmt="csv")
        audit.record(AuditAction.EXPORT, object_type="regions.auditevent", detail={"what": "access_report", "rows": len(rows)},
                     request=request)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = 'attachment; filename="laporan-akses.csv"'
        return response

    def has_module_permission(self, request):
        return access.can_write(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_write(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
