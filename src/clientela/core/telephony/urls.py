"""The telephony settings page (included by core.urls, in its namespace)."""

from django.urls import path

from clientela.core.telephony import views

urlpatterns = [path("settings/telephony/", views.telephony, name="telephony")]
