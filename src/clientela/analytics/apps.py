"""Registers the analytics app: the dashboards, figures read from the domain apps."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from clientela.analytics import forecasts
        from clientela.core import events

        # The forecast's remembered history is forgotten where orders and contacts are
        # written, not checked at each read.
        events.listen_to_writes(forecasts.forget_history)
