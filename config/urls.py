from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from outreach import views as outreach_views

admin.site.site_header = _("Jemput Bola — administrasi")
admin.site.site_title = _("Jemput Bola")
admin.site.index_title = _("Data rujukan")

# The project's own 500 page, and 503 while the database cannot be reached (config/errors.py).
handler500 = "config.errors.server_error"

def health(request):
    """For load balancers and the benchmark's bare-view baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", outreach_views.home, name="home"),
    path("sehat/", health, name="health"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("regions.urls")),
    path("", include("outreach.urls")),
    path("", include("partners.urls")),
    path("admin/", admin.site.urls),
]
