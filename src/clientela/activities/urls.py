"""Timeline, tasks, timers, files and My day."""

from django.urls import path

from clientela.activities import timer_views, views

app_name = "activities"
urlpatterns = [
    path("my-day/", views.my_day, name="my-day"),
    path("records/<str:token>/log/", views.log_activity, name="log-activity"),
    path("records/<str:token>/tasks/", views.task_create, name="task-create"),
    path("records/<str:token>/files/", views.file_upload, name="file-upload"),
    path("tasks/new/", views.task_add, name="task-add"),
    path("tasks/team/", views.team_tasks, name="team-tasks"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("timers/start/", timer_views.timer_start, name="timer-start"),
    path("timers/stop/", timer_views.timer_stop, name="timer-stop"),
    path("files/<int:pk>/", views.file_download, name="file-download"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
