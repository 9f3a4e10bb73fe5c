"""Ticket pages, the desk's settings and the public request form."""

from django.urls import path

from clientela.tickets import public_views, settings_views, views

app_name = "tickets"
urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/new/", views.ticket_create, name="create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="detail"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="status"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="assign"),
    path("tickets/<int:pk>/transfer/", views.ticket_transfer, name="transfer"),
    path("tickets/<int:pk>/trash/", views.ticket_trash, name="trash"),
    path("settings/desk/", settings_views.desk_settings, name="departments"),
    path(
        "settings/desk/departments/new/", settings_views.department_edit, name="department-create"
    ),
    path(
        "settings/desk/departments/<int:pk>/",
        settings_views.department_edit,
        name="department-edit",
    ),
    path("settings/desk/rules/new/", settings_views.rule_edit, name="rule-create"),
    path("settings/desk/rules/<int:pk>/", settings_views.rule_edit, name="rule-edit"),
    path("support/", public_views.request_form, name="public-form"),
    path("support/thanks/", public_views.request_thanks, name="public-thanks"),
]
