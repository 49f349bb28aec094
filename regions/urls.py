from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("wilayah/", views.region_index, name="index"),
    path("wilayah/cari/", views.region_search, name="search"),
    path("wilayah/unggah/", views.figures_upload, name="figures_upload"),
    path("wilayah/<str:code>/", views.region_detail, name="detail"),
    path("akun/impor/", views.accounts_import, name="accounts_import"),
]
