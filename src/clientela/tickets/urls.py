"""Ticket pages, canned replies, the knowledge base, the desk's settings and the public
request form."""

from django.urls import path

from clientela.tickets import knowledge_views, public_views, settings_views, survey_views, views

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
    path("tickets/<int:pk>/compose/", views.ticket_compose, name="compose"),
    path("tickets/<int:pk>/articles/", views.ticket_link_article, name="link-article"),
    path("tickets/<int:pk>/merge/", views.ticket_merge, name="merge"),
    path("tickets/<int:pk>/merge/undo/", views.ticket_merge_undo, name="merge-undo"),
    path("tickets/replies/", knowledge_views.canned_list, name="canned-list"),
    path("tickets/replies/new/", knowledge_views.canned_edit, name="canned-create"),
    path("tickets/replies/<int:pk>/", knowledge_views.canned_edit, name="canned-edit"),
    path("tickets/replies/<int:pk>/trash/", knowledge_views.canned_trash, name="canned-trash"),
    path("kb/", knowledge_views.article_list, name="articles"),
    path("kb/new/", knowledge_views.article_edit, name="article-create"),
    path("kb/categories/", knowledge_views.category_create, name="category-create"),
    path("kb/<int:pk>/", knowledge_views.article_detail, name="article"),
    path("kb/<int:pk>/edit/", knowledge_views.article_edit, name="article-edit"),
    path("kb/<int:pk>/trash/", knowledge_views.article_trash, name="article-trash"),
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
    path("survey/<str:token>/", survey_views.survey, name="survey"),
]
