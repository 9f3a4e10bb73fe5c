"""Registers the dataio app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "clientela.dataio"
    label = "dataio"
    verbose_name = _("Data in and out")

    def ready(self) -> None:
        from clientela.core import first_steps, startup
        from clientela.dataio import recovery
        from clientela.dataio.models import ImportRun

        startup.at_start(recovery.tidy)
        # "Import your contacts": a file this person imported.
        first_steps.register(
            "import", lambda user: ImportRun.objects.filter(created_by_id=user.pk).exists()
        )
