"""Every URL of Clientela, app by app, each app in its own namespace."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("clientela.workspace.urls")),
    path("", include("clientela.core.urls")),
    path("", include("clientela.customers.urls")),
    path("", include("clientela.activities.urls")),
    path("", include("clientela.deals.urls")),
    path("", include("clientela.projects.urls")),
    path("", include("clientela.orders.urls")),
    path("", include("clientela.tickets.urls")),
    path("", include("clientela.users.urls")),
    path("", include("clientela.security.urls")),
    path("settings/backups/", include("clientela.dataio.backups.urls")),
    path("imports/", include("clientela.dataio.importing.urls")),
    path("", include("clientela.dataio.exporting.urls")),
    path("jobs/", include("clientela.jobs.urls")),
    path("notifications/", include("clientela.notifications.urls")),
    path("", include("clientela.api.urls")),
    path("settings/webhooks/", include("clientela.webhooks.urls")),
    path("mail/", include("clientela.channels.urls")),
    path("", include("clientela.channels.inbox_urls")),
    path("", include("clientela.analytics.urls")),
    path("admin/", admin.site.urls),
]
