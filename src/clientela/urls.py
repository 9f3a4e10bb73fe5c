"""Every URL of Clientela, app by app."""

from django.contrib import admin
from django.urls import include, path

from clientela.api.site import urlpatterns as api_urlpatterns
from clientela.core import views as core_views
from clientela.workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("search/", core_views.search, name="search"),
    path("search/palette/", core_views.palette, name="search-palette"),
    path("", include("clientela.customers.urls")),
    path("", include("clientela.activities.urls")),
    path("", include("clientela.deals.urls")),
    path("", include("clientela.orders.urls")),
    path("", include("clientela.users.urls")),
    path("", include("clientela.security.urls")),
    path("settings/", workspace_views.settings_index, name="settings"),
    path("settings/audit/", core_views.audit_trail, name="audit-trail"),
    path("settings/audit/export.csv", core_views.audit_export, name="audit-export"),
    path("settings/", include("clientela.users.settings_urls")),
    path("settings/backups/", include("clientela.dataio.urls")),
    path("imports/", include("clientela.dataio.import_urls")),
    path("", include("clientela.dataio.export_urls")),
    path("jobs/", include("clientela.jobs.urls")),
    path("notifications/", include("clientela.notifications.urls")),
    path("", include("clientela.api.urls")),
    path("settings/webhooks/", include("clientela.webhooks.urls")),
    path("api/", include((api_urlpatterns(), "api"), namespace="api")),
    path("admin/", admin.site.urls),
]
