"""The home page and the settings index."""

from django.urls import path

from clientela.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_index, name="settings"),
    path("demo/remove/", views.remove_demo, name="demo-remove"),
    path("first-steps/dismiss/", views.dismiss_first_steps, name="first-steps-dismiss"),
]
