"""Logging in (the password, then the second step when it is on) and the two-factor settings
page."""

from django.urls import path

from clientela.security import views

app_name = "security"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("account/two-factor/", views.two_factor_settings, name="two-factor"),
]
