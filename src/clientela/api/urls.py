"""The settings page of a person's API tokens, and the API site under /api/."""

from django.urls import include, path

from clientela.api import views
from clientela.api.site import urlpatterns as site_urlpatterns

app_name = "api"
urlpatterns = [
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", views.revoke, name="token-revoke"),
    path("api/", include(site_urlpatterns())),
]
