"""The currency settings pages (included by core.urls, in its namespace)."""

from django.urls import path

from clientela.core.currencies import views

urlpatterns = [
    path("settings/currencies/", views.currencies, name="currencies"),
    path("settings/currencies/rates/", views.add_rate, name="currency-rate-add"),
    path(
        "settings/currencies/rates/<int:pk>/delete/", views.delete_rate, name="currency-rate-delete"
    ),
]
