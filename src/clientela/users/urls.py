"""Log out, change and reset a password (logging in is the security app's), choose a
language, and people, teams and roles under Settings."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from clientela.users import views

app_name = "users"
urlpatterns = [
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.choose_language, name="choose-language"),
    path("account/calendar/", views.calendar_feed_settings, name="calendar-feed"),
    path(
        "account/password/",
        # Django's views reverse bare names by default; ours live in this namespace.
        views.PasswordChangeView.as_view(success_url=reverse_lazy("users:password_change_done")),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("users:password_reset_done")),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("users:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("settings/", include("clientela.users.settings_urls")),
]
