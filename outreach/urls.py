from django.urls import path

from outreach import import_views, views

app_name = "outreach"

urlpatterns = [
    path("kegiatan/", views.session_list, name="list"),
    path("kegiatan/kalender/", views.session_calendar, name="calendar"),
    path("kegiatan/saya/", views.my_sessions, name="mine"),
    path("kegiatan/baru/", views.session_create, name="create"),
    path("kegiatan/<int:pk>/", views.session_detail, name="detail"),
    path("kegiatan/<int:pk>/catat/", views.session_log, name="log"),
    path("kegiatan/<int:pk>/rekap/", views.session_tally, name="tally"),
    path("kegiatan/<int:pk>/tutup/", views.session_close, name="close"),
    path("kegiatan/<int:pk>/buka/", views.session_reopen, name="reopen"),
    path("kegiatan/<int:pk>/hasil/", views.session_results, name="results"),
    path("hasil/impor/", import_views.activation_import, name="activation_import"),
    path("kegiatan/foto/<int:pk>/", views.session_photo, name="photo"),
    path("kegiatan/<int:pk>/ubah/", views.session_edit, name="edit"),
    path("kegiatan/<int:pk>/tunda/", views.session_postpone, name="postpone"),
    path("kegiatan/<int:pk>/batal/", views.session_cancel, name="cancel"),
    path("kegiatan/<int:pk>/konfirmasi/", views.session_confirm, name="confirm"),
    path("kegiatan/rangkaian/baru/", views.series_create, name="series_create"),
    path("kegiatan/rangkaian/<int:pk>/", views.series_detail, name="series_detail"),
    path("laporan/", views.dashboard_index, name="dashboard_index"),
    path("laporan/ringkasan/<int:pk>/", views.summary_detail, name="summary_detail"),
    path("laporan/ringkasan/<int:pk>/ringkasan.pdf", views.summary_pdf, name="summary_pdf"),
    path("laporan/ringkasan/<int:pk>/grafik-<str:kind>.png", views.summary_chart, name="summary_chart"),
    path("laporan/<str:code>/", views.dashboard, name="dashboard"),
    path("laporan/<str:code>/grafik-<str:kind>.png", views.dashboard_chart, name="dashboard_chart"),
    path("laporan/<str:code>/ringkasan/", views.summary_list, name="summary_list"),
    path("jadwal/", views.public_index, name="public_index"),
    path("jadwal/<str:code>/", views.public_regency, name="public_regency"),
    path("jadwal/<str:code>/kalender.ics", views.public_regency_ics, name="public_ics"),
    path("kalender/tim/<str:token>.ics", views.team_ics, name="team_ics"),
]
