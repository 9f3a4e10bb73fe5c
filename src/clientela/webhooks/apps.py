"""Webhooks: subscriptions to record events, signed deliveries in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "clientela.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from clientela.core import events
        from clientela.webhooks import services
        from clientela.webhooks.models import Subscription

        events.listen(services.on_events)
        # However a subscription changes (services, admin, a test's factory), writes see it.
        forget = services.forget_subscribed_events
        post_save.connect(forget, sender=Subscription, dispatch_uid="webhooks-forget-on-save")
        post_delete.connect(forget, sender=Subscription, dispatch_uid="webhooks-forget-on-delete")
