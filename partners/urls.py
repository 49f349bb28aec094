from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("mitra/", views.public_directory, name="directory"),
    path("mitra/<int:pk>/logo.jpg", views.partner_logo, name="logo"),
    path("mitra/staf/", views.partner_list, name="list"),
    path("mitra/staf/ekspor/<str:what>.<str:fmt>", views.export, name="export"),
    path("mitra/pks/<int:pk>/dokumen.pdf", views.agreement_document, name="document"),
]
