"""Reads of webhooks: subscriptions and their delivery log, for those who manage settings."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.core import permissions
from clientela.webhooks.models import Delivery, Subscription

LOG_SIZE = 50


def subscriptions_for(user) -> QuerySet[Subscription]:
    if not permissions.can(user, "manage_settings"):
        return Subscription.objects.none()
    return Subscription.objects.select_related("owner")


def delivery_log(subscription: Subscription) -> list[Delivery]:
    return list(subscription.deliveries.all()[:LOG_SIZE])


def delivery_for(user, pk: int) -> Delivery:
    return Delivery.objects.select_related("subscription").get(
        pk=pk, subscription__in=subscriptions_for(user)
    )
