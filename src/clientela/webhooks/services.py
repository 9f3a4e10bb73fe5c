"""Every write of webhooks: subscriptions, queuing a delivery for each event a subscription
wants, sending it signed, retrying with exponential backoff, switching off a dead URL."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import events, permissions
from clientela.webhooks.models import Delivery, DeliveryStatus, Subscription

if TYPE_CHECKING:
    from django.db import models

    from clientela.users.models import User

SIGNATURE_HEADER = "Clientela-Signature"
USER_AGENT = "Clientela-Webhooks/1"


# Subscriptions --------------------------------------------------------------------------
def _clean(url: str, chosen: Iterable[str] | None) -> tuple[str, list[str]]:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter an http:// or https:// address.")}) from None
    known = events.names()
    wanted = set(chosen or [])
    picked = [name for name in known if name in wanted]
    if not picked:
        raise ValidationError({"events": _("Choose at least one event.")})
    return url, picked


@transaction.atomic
def create_subscription(
    *, actor: User, url: str, events: list[str], description: str = ""
) -> Subscription:
    permissions.require(actor, "manage_settings")
    url, chosen = _clean(url, events)
    return Subscription.objects.create(
        owner=actor,
        url=url,
        events=chosen,
        description=(description or "").strip()[:200],
        secret="whsec_" + secrets.token_urlsafe(32),
    )


@transaction.atomic
def set_active(*, actor: User | None, subscription: Subscription, active: bool) -> Subscription:
    permissions.require(actor, "manage_settings")
    subscription.is_active = active
    if active:
        subscription.failures_in_row = 0
        subscription.disabled_reason = ""
    subscription.save(update_fields=["is_active", "failures_in_row", "disabled_reason"])
    return subscription


@transaction.atomic
def delete_subscription(*, actor: User, subscription: Subscription) -> None:
    permissions.require(actor, "manage_settings")
    subscription.delete()


# Events → deliveries --------------------------------------------------------------------
def _record_data(record: models.Model, owner: User) -> dict | None:
    """The record as the subscription's owner sees it through the API, or None when they
    may not see it (another team's contact is never sent to their URL)."""
    from clientela.api.registry import resource_for

    resource = resource_for(type(record))
    if resource is None:
        return {"id": record.pk}
    if getattr(record, "deleted_at", None) is not None:
        # In the trash: no selector returns it any more; its owner rule still holds.
        if not permissions.allows(owner, record, "view"):
            return None
        return {"id": record.pk, "deleted": True}
    if not resource.can_see(owner, record):
        return None
    return resource.serialize(resource.get(owner, record.pk), owner)


# The event names some active subscription wants, in the cache shared by every process
# (files in the data folder on a desktop, Redis on servers), the job worker included: a
# write with no subscription for its events reads no table. Saving or deleting a
# subscription forgets it at once and again at commit (a write in another process may have
# read the old rows meanwhile); the timeout bounds what a lost race could keep.
SUBSCRIBED_EVENTS_KEY = "webhooks:subscribed-events"
SUBSCRIBED_EVENTS_SECONDS = 300


def forget_subscribed_events(**_signal: Any) -> None:
    cache.delete(SUBSCRIBED_EVENTS_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIBED_EVENTS_KEY))


def _remember(active: list[Subscription]) -> None:
    wanted = sorted({name for subscription in active for name in subscription.events})
    cache.set(SUBSCRIBED_EVENTS_KEY, wanted, SUBSCRIBED_EVENTS_SECONDS)


def on_events(raised: list[events.Event]) -> None:
    """Queue one delivery per active subscription to each event; called in the writing
    transaction, so a rolled-back change sends nothing. The subscriptions are read once
    for all the events a change (or an import's batch) raises, and only when one of them
    is wanted by some active subscription."""
    from clientela.jobs import enqueue
    from clientela.webhooks.tasks import deliver

    wanted = cache.get(SUBSCRIBED_EVENTS_KEY)
    if wanted is not None and not any(event.name in wanted for event in raised):
        return
    active = list(Subscription.objects.filter(is_active=True).select_related("owner"))
    _remember(active)
    if not active:
        return
    for event in raised:
        for subscription in active:
            if event.name not in subscription.events:
                continue
            data = _record_data(event.record, subscription.owner)
            if data is None:
                continue
            delivery = Delivery(subscription=subscription, event=event.name)
            delivery.payload = json.loads(
                json.dumps(
                    {
                        "id": str(delivery.uuid),
                        "event": event.name,
                        "occurred_at": timezone.now(),
                        "data": data,
                        "changes": event.changes,
                    },
                    cls=DjangoJSONEncoder,
                )
            )
            delivery.save()
            enqueue(deliver, delivery.pk)


# Sending ----------------------------------------------------------------------------------
def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret, hex."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """(status, first bytes of the answer, error) of one POST."""
    # The URL was checked to be http(s) when the subscription was saved.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read(500).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(500).decode(errors="replace"), ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error))[:300]


def backoff(attempt: int) -> datetime.timedelta:
    """Wait before attempt number `attempt + 1`: base, 2 x base, 4 x base, …"""
    return datetime.timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1))


def deliver(delivery_id: int) -> Delivery | None:
    """Send one delivery now; on failure schedule the next attempt or give up."""
    from clientela.jobs import schedule_at
    from clientela.webhooks.tasks import deliver as deliver_job

    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.SUCCEEDED:
        return delivery
    subscription = delivery.subscription
    if not subscription.is_active:
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Clientela-Event": delivery.event,
        "Clientela-Delivery": str(delivery.uuid),
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(subscription.secret, timestamp, body)}",
    }
    status, excerpt, error = _post(subscription.url, body, headers)
    now = timezone.now()
    with transaction.atomic():
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_code = status
        delivery.response_excerpt = excerpt
        delivery.error = error
        delivery.next_attempt_at = None
        if status is not None and 200 <= status < 300:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            Subscription.objects.filter(pk=subscription.pk).update(failures_in_row=0)
        else:
            failures = subscription.failures_in_row + 1
            updates: dict[str, Any] = {"failures_in_row": failures}
            if failures >= settings.WEBHOOK_DISABLE_AFTER:
                updates |= {
                    "is_active": False,
                    "disabled_reason": _("Switched off after %(n)d failed deliveries in a row.")
                    % {"n": failures},
                }
            Subscription.objects.filter(pk=subscription.pk).update(**updates)
            if "is_active" in updates:
                forget_subscribed_events()
            if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS and "is_active" not in updates:
                delivery.status = DeliveryStatus.PENDING
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                schedule_at(delivery.next_attempt_at, deliver_job, delivery.pk)
            else:
                delivery.status = DeliveryStatus.FAILED
        delivery.save()
    return delivery


@transaction.atomic
def redeliver(*, actor: User, delivery: Delivery) -> Delivery:
    """Send a delivery again, as a new delivery of the same payload (the log keeps both)."""
    from clientela.jobs import enqueue
    from clientela.webhooks.tasks import deliver as deliver_job

    permissions.require(actor, "manage_settings")
    again = Delivery.objects.create(
        subscription=delivery.subscription, event=delivery.event, payload=delivery.payload
    )
    enqueue(deliver_job, again.pk)
    return again
