"""Deal pages: board, list, deal, forms, moves, funnel and pipeline settings."""

from django.urls import path

from clientela.deals import views

app_name = "deals"
urlpatterns = [
    path("deals/", views.board, name="deal-board"),
    path("deals/pipeline/<int:pipeline_id>/", views.board, name="deal-board-pipeline"),
    path("deals/list/", views.deal_list, name="deal-list"),
    path("deals/new/", views.deal_create, name="deal-create"),
    path("deals/contacts/", views.deal_contacts, name="deal-contacts"),
    path("deals/funnel/", views.funnel, name="deal-funnel"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal-move"),
    path("deals/<int:pk>/close/", views.deal_close, name="deal-close"),
    path("deals/<int:pk>/reopen/", views.deal_reopen, name="deal-reopen"),
    path("deals/<int:pk>/trash/", views.deal_trash, name="deal-trash"),
    path("deals/<int:pk>/lines/", views.deal_line_add, name="deal-line-add"),
    path("deals/<int:pk>/lines/<int:line_pk>/", views.deal_line, name="deal-line"),
    path("deals/<int:pk>/order/", views.deal_order, name="deal-order"),
    path("settings/pipelines/", views.pipeline_settings, name="pipeline-settings"),
    path("settings/pipelines/new/", views.pipeline_edit, name="pipeline-create"),
    path("settings/pipelines/<int:pk>/", views.pipeline_edit, name="pipeline-edit"),
]
