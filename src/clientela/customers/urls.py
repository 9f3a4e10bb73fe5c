"""Contact and company pages."""

from django.urls import path

from clientela.customers import detail_views, entry_views, panels, views

app_name = "customers"
urlpatterns = [
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", detail_views.contact_create, name="contact-create"),
    path("contacts/quick-add/", entry_views.quick_add, name="quick-add"),
    path("contacts/quick-add/check/", entry_views.quick_add_check, name="quick-add-check"),
    path("contacts/<int:pk>/", detail_views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/panels/<slug:panel>/", panels.contact_panel, name="contact-panel"),
    path("contacts/<int:pk>/edit/", detail_views.contact_edit, name="contact-edit"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/new/", detail_views.company_create, name="company-create"),
    path("companies/suggest/", entry_views.company_suggest, name="company-suggest"),
    path("companies/<int:pk>/", detail_views.company_detail, name="company-detail"),
    path("companies/<int:pk>/panels/<slug:panel>/", panels.company_panel, name="company-panel"),
    path("companies/<int:pk>/edit/", detail_views.company_edit, name="company-edit"),
    path(
        "records/<str:record_type>/<int:pk>/inline/", detail_views.inline_edit, name="inline-edit"
    ),
    path("lists/<str:record_type>/bulk/", views.bulk_action, name="bulk-action"),
    path("lists/<str:record_type>/views/", views.save_view, name="save-view"),
    path("lists/views/<int:pk>/delete/", views.delete_view, name="delete-view"),
    path("trash/undo/", views.undo_trash, name="undo-trash"),
    path("merge/<str:record_type>/<int:pk>/<int:other_pk>/", entry_views.merge_view, name="merge"),
    path("merge/undo/", entry_views.merge_undo, name="merge-undo"),
]
