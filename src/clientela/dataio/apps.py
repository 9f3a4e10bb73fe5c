"""Registers the dataio app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "clientela.dataio"
    label = "dataio"
    verbose_name = _("Data in and out")

    def ready(self) -> None:
        from clientela.core import startup
        from clientela.dataio import recovery

        startup.at_start(recovery.tidy)
