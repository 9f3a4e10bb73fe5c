"""URLs of the channels app."""

from django.urls import path

from clientela.channels import views

app_name = "channels"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("conversations/<int:pk>/", views.conversation, name="conversation"),
    path("messages/<int:pk>/", views.message, name="message"),
    path("messages/<int:pk>/contact/", views.create_contact, name="create-contact"),
    path("send/<str:token>/", views.send, name="send"),
    path("outgoing/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("accounts/<int:pk>/test/", views.account_test, name="account-test"),
]
