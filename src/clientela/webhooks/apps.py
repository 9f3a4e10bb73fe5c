"""Webhooks: subscriptions to record events, signed deliveries in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "clientela.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from clientela.core import events
        from clientela.webhooks import services

        events.listen(services.on_events)
