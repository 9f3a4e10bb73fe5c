"""Every URL of Clientela, app by app."""

from django.contrib import admin
from django.urls import include, path

from clientela.api.site import urlpatterns as api_urlpatterns

urlpatterns = [
    path("", include("clientela.workspace.urls")),
    path("", include("clientela.core.urls")),
    path("", include("clientela.customers.urls")),
    path("", include("clientela.activities.urls")),
    path("", include("clientela.deals.urls")),
    path("", include("clientela.orders.urls")),
    path("", include("clientela.tickets.urls")),
    path("", include("clientela.users.urls")),
    path("", include("clientela.security.urls")),
    path("settings/", include("clientela.users.settings_urls")),
    path("settings/backups/", include("clientela.dataio.backups.urls")),
    path("imports/", include("clientela.dataio.importing.urls")),
    path("", include("clientela.dataio.exporting.urls")),
    path("jobs/", include("clientela.jobs.urls")),
    path("notifications/", include("clientela.notifications.urls")),
    path("", include("clientela.api.urls")),
    path("settings/webhooks/", include("clientela.webhooks.urls")),
    path("api/", include((api_urlpatterns(), "api"), namespace="api")),
    path("admin/", admin.site.urls),
]
