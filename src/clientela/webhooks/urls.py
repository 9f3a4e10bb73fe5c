"""The webhooks settings pages."""

from django.urls import path

from clientela.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
