"""URLs of the Import pages."""

from django.urls import path

from clientela.dataio.importing import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("calls/", views.calls, name="calls"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/rejected.csv", views.rejected_csv, name="rejected"),
    path("<int:pk>/report.csv", views.report_csv, name="report"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("data-health/", views.data_health, name="data-health"),
    path("data-health/<int:pk>/correct/", views.correct_phone, name="correct-phone"),
    path("duplicates/<int:pk>/dismiss/", views.dismiss_duplicate, name="dismiss-duplicate"),
    path("duplicates/<int:pk>/merge/", views.merge_duplicate, name="merge-duplicate"),
]
