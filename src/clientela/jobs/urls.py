"""URLs of the Jobs page."""

from django.urls import path

from clientela.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.board, name="board"),
    path("<str:job_id>/retry", views.retry, name="retry"),
]
