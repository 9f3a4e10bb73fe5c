"""The second login step and the two-factor settings page."""

from django.urls import path

from clientela.security import views

urlpatterns = [
    path("login/code/", views.login_code, name="login-code"),
    path("account/two-factor/", views.two_factor_settings, name="two-factor"),
]
