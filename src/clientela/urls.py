"""Every URL of Clientela, app by app."""

from django.contrib import admin
from django.urls import include, path

from clientela.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("search/", core_views.search, name="search"),
    path("search/palette/", core_views.palette, name="search-palette"),
    path("", include("clientela.customers.urls")),
    path("", include("clientela.activities.urls")),
    path("", include("clientela.users.urls")),
    path("", include("clientela.security.urls")),
    path("settings/backups/", include("clientela.dataio.urls")),
    path("imports/", include("clientela.dataio.import_urls")),
    path("", include("clientela.dataio.export_urls")),
    path("jobs/", include("clientela.jobs.urls")),
    path("notifications/", include("clientela.notifications.urls")),
    path("admin/", admin.site.urls),
]
