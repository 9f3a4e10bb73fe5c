"""The kernel's pages: search, the audit trail, the health check, the trash, records'
history, and the settings lists every app declares (core.settings_pages)."""

from django.urls import include, path

from clientela.core import record_views, settings_pages, views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("jsi18n/", views.javascript_catalogue, name="javascript-catalogue"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", views.search, name="search"),
    path("search/palette/", views.palette, name="search-palette"),
    path("settings/audit/", views.audit_trail, name="audit-trail"),
    path("settings/audit/export.csv", views.audit_export, name="audit-export"),
    path("", include("clientela.core.currencies.urls")),
    path("", include("clientela.core.telephony.urls")),
    path("trash/", record_views.trash, name="trash"),
    path("trash/action/", record_views.trash_action, name="trash-action"),
    path(
        "records/<str:record_type>/<int:pk>/history/",
        record_views.record_history,
        name="record-history",
    ),
    path("history/<int:entry_id>/restore/", record_views.restore_version, name="restore-version"),
    *settings_pages.urlpatterns(),
]
