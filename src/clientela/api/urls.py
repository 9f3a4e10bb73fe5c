"""The settings page of a person's API tokens."""

from django.urls import path

from clientela.api import views

urlpatterns = [
    path("account/api-tokens/", views.tokens, name="api-tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", views.revoke, name="api-token-revoke"),
]
