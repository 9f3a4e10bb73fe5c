"""URLs of notifications."""

from django.urls import path

from clientela.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.index, name="index"),
    path("preferences", views.preferences, name="preferences"),
    path("bell", views.bell, name="bell"),
    path("menu", views.menu, name="menu"),
    path("<int:notification_id>/open", views.open_notification, name="open"),
    path("read-all", views.read_all, name="read_all"),
]
