from django.urls import path

from regions import two_factor, views

app_name = "regions"

urlpatterns = [
    path("wilayah/", views.region_index, name="index"),
    path("wilayah/cari/", views.region_search, name="search"),
    path("wilayah/unggah/", views.figures_upload, name="figures_upload"),
    path("wilayah/<str:code>/", views.region_detail, name="detail"),
    path("akun/impor/", views.accounts_import, name="accounts_import"),
    path("akun/saya/", views.account, name="account"),
    path("akun/keluar-semua/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("akun/dua-langkah/", two_factor.setup, name="two_factor_setup"),
    path("akun/dua-langkah/kode/", two_factor.verify, name="two_factor_verify"),
]
