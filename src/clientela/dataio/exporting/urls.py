"""URLs of exports: lists, one person's data, the full export."""

from django.urls import path

from clientela.dataio.exporting import views

app_name = "exports"

urlpatterns = [
    path("exports/<str:record_type>/", views.list_export, name="list"),
    path("contacts/<int:pk>/data/", views.person_export, name="person"),
    path("settings/export/", views.full_export, name="full"),
    path("settings/export/<str:name>/download/", views.full_export_download, name="full_download"),
]
