"""The project's admin site: Django's, except that a session still owing its 2FA code is refused.

INSTALLED_APPS names `regions.admin_site.AdminConfig` in place of `django.contrib.admin`.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        from regions.two_factor import must_verify

        return super().has_permission(request) and not must_verify(request)


class AdminConfig(DjangoAdminConfig):
    default_site = "regions.admin_site.AdminSite"
