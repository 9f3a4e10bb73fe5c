"""A demo webhook, switched off, so the Webhooks page shows what a subscription looks like
without the demo sending anything anywhere."""

from __future__ import annotations

from clientela.users.models import User
from clientela.webhooks import services
from clientela.webhooks.models import Subscription

DEMO_URL = "https://shop.example.com/hooks/clientela"


def load() -> str:
    if Subscription.objects.filter(url=DEMO_URL).exists():
        return "webhook already there"
    # Sent events are those its owner may see: an administrator's sees them all.
    owner = (
        User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        or User.objects.filter(is_active=True, role__key="administrator").order_by("pk").first()
    )
    if owner is None:
        return "no administrator to own a webhook"
    subscription = services.create_subscription(
        actor=owner,
        url=DEMO_URL,
        events=["contact.created", "contact.updated", "task.completed"],
        description="Demo: point it at your shop, then switch it on.",
    )
    services.set_active(actor=None, subscription=subscription, active=False)
    return "1 webhook (switched off)"
