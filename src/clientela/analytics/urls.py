"""The dashboards: one page each."""

from django.urls import path

from clientela.analytics import views

app_name = "analytics"
urlpatterns = [
    path("dashboards/", views.dashboard, {"key": "mine"}, name="mine"),
    path("dashboards/executive/", views.dashboard, {"key": "executive"}, name="executive"),
    path("dashboards/sales/", views.dashboard, {"key": "sales"}, name="sales"),
    path("dashboards/support/", views.dashboard, {"key": "support"}, name="support"),
]
