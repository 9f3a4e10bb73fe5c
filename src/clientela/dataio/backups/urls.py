"""URLs of the Backups page, under Settings."""

from django.urls import path

from clientela.dataio.backups import views

app_name = "dataio"

urlpatterns = [
    path("", views.backups, name="backups"),
    path("run/", views.back_up_now, name="back_up_now"),
    path("<str:name>/download/", views.download, name="download"),
]
