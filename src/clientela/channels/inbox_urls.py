"""URLs of the unified inbox and the messengers' webhook."""

from django.urls import path

from clientela.channels import inbox_views as views

app_name = "inbox"

urlpatterns = [
    path("inbox/", views.unified, name="unified"),
    path("inbox/<int:pk>/reply/", views.reply, name="reply"),
    path("inbox/<int:pk>/assign/", views.assign, name="assign"),
    path("inbox/<int:pk>/snooze/", views.snooze, name="snooze"),
    path("inbox/<int:pk>/done/", views.done, name="done"),
    path("inbox/<int:pk>/contact/", views.create_contact, name="create-contact"),
    path("inbox/messages/<int:pk>/ticket/", views.open_ticket, name="ticket"),
    path("hooks/messengers/<str:key>/", views.webhook, name="webhook"),
]
