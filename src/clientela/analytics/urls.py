"""The dashboards, one page each, and the report builder."""

from django.urls import path

from clientela.analytics import report_views, views

app_name = "analytics"
urlpatterns = [
    path("dashboards/", views.dashboard, {"key": "mine"}, name="mine"),
    path("dashboards/executive/", views.dashboard, {"key": "executive"}, name="executive"),
    path("dashboards/sales/", views.dashboard, {"key": "sales"}, name="sales"),
    path("dashboards/support/", views.dashboard, {"key": "support"}, name="support"),
    path("dashboards/marketing/", views.dashboard, {"key": "marketing"}, name="marketing"),
    path("dashboards/forecast/", views.forecast, name="forecast"),
    path("dashboards/people/", views.people, name="people"),
    path("dashboards/people/weights/", views.people_weights, name="people-weights"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/new/", report_views.report_build, name="report-new"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", report_views.report_build, name="report-edit"),
    path("reports/<int:pk>/delete/", report_views.report_delete, name="report-delete"),
    path("reports/<int:pk>/export/<str:fmt>/", report_views.report_export, name="report-export"),
]
