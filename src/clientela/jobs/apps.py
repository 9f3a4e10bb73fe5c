"""The jobs app: finds every app's `tasks.py` so their jobs and periodic jobs are known."""

from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "clientela.jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        autodiscover_modules("tasks")
        for module in settings.JOBS_MODULES:
            __import__(module)
