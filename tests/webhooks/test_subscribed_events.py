"""A write whose events no active subscription wants reads no subscription (the wanted event
names live in the cache shared by every process); a new or changed subscription is seen by
the very next write."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.activities import services as activities
from clientela.customers import services as customers
from clientela.users.services import create_user
from clientela.webhooks import services
from clientela.webhooks.models import Delivery, Subscription
from tests.jobs.conftest import REDIS_URL, redis_answers

pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hook"  # never called: deliveries are only queued here


def subscription_reads(write) -> int:
    with CaptureQueriesContext(connection) as captured:
        write()
    return sum('"webhooks_subscription"' in query["sql"] for query in captured)


@pytest.fixture
def admin():
    return create_user(email="admin@firma.ro", administrator=True)


def test_a_write_with_no_subscription_reads_none_after_the_first(admin):
    first = subscription_reads(
        lambda: customers.create_contact(actor=admin, data={"full_name": "A"})
    )
    assert first == 1  # a new process learns there is none, once
    for name in ("B", "C"):
        assert not subscription_reads(
            lambda name=name: customers.create_contact(actor=admin, data={"full_name": name})
        )
    # Nor does a write of another record type.
    assert not subscription_reads(
        lambda: activities.create_task(actor=admin, title="Sună", assignee=admin)
    )


def test_a_new_subscription_is_seen_by_the_next_write(admin):
    customers.create_contact(actor=admin, data={"full_name": "Before"})  # "none" remembered
    subscription = services.create_subscription(actor=admin, url=HOOK, events=["contact.created"])
    contact = customers.create_contact(actor=admin, data={"full_name": "After"})
    delivery = Delivery.objects.get()
    assert delivery.subscription == subscription and delivery.payload["data"]["id"] == contact.pk

    # A write of an event nobody wants still reads nothing…
    assert not subscription_reads(
        lambda: activities.create_task(actor=admin, title="Sună", assignee=admin)
    )
    # …and switching the subscription off, or deleting it, is seen at once too.
    services.set_active(actor=admin, subscription=subscription, active=False)
    customers.create_contact(actor=admin, data={"full_name": "Off"})
    assert Delivery.objects.count() == 1
    services.set_active(actor=admin, subscription=subscription, active=True)
    customers.create_contact(actor=admin, data={"full_name": "On"})
    assert Delivery.objects.count() == 2
    services.delete_subscription(actor=admin, subscription=subscription)
    customers.create_contact(actor=admin, data={"full_name": "Gone"})
    assert not Delivery.objects.exists()  # deleted with their subscription, none new
    assert not subscription_reads(
        lambda: customers.create_contact(actor=admin, data={"full_name": "Later"})
    )


def test_a_subscription_added_outside_the_services_is_seen(admin):
    customers.create_contact(actor=admin, data={"full_name": "Before"})
    Subscription.objects.create(owner=admin, url=HOOK, events=["contact.created"], secret="s")
    customers.create_contact(actor=admin, data={"full_name": "After"})
    assert Delivery.objects.get().event == "contact.created"


def test_a_stale_memory_heals_itself(admin):
    """A subscription rolled back (or removed in a way that sent no signal) costs one read,
    after which writes read nothing again."""
    from django.core.cache import cache

    cache.set(services.SUBSCRIBED_EVENTS_KEY, ["contact.created"])
    assert subscription_reads(
        lambda: customers.create_contact(actor=admin, data={"full_name": "A"})
    )
    assert not subscription_reads(
        lambda: customers.create_contact(actor=admin, data={"full_name": "B"})
    )


def test_on_a_server_every_process_sees_a_new_subscription(admin, settings):
    """Server mode keeps the cache in Redis: what one process remembers, another forgets
    when a subscription is saved. Here the other process is a second client of the same
    Redis database."""
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clientela-test-webhooks",
        }
    }
    shared = caches["default"]
    try:
        customers.create_contact(actor=admin, data={"full_name": "Before"})
        key = shared.make_key(services.SUBSCRIBED_EVENTS_KEY)
        other = redis.Redis.from_url(REDIS_URL)
        assert other.exists(key)  # "none wanted", visible to every process
        services.create_subscription(actor=admin, url=HOOK, events=["contact.created"])
        assert not other.exists(key)
        customers.create_contact(actor=admin, data={"full_name": "After"})
        assert Delivery.objects.get().event == "contact.created"
    finally:
        shared.delete(services.SUBSCRIBED_EVENTS_KEY)


def _cached_in_another_process(value: str | None = None) -> str:
    """What a second Python process with this one's settings (a desktop's job worker, say)
    finds under the key, after writing `value` there first when one is given."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.core.cache import cache\n"
        "from clientela.webhooks.services import SUBSCRIBED_EVENTS_KEY as key\n"
        "if sys.argv[1:]: cache.set(key, json.loads(sys.argv[1]))\n"
        "print(json.dumps(cache.get(key)))\n"
    )
    args = [sys.executable, "-c", code, *([value] if value is not None else [])]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "clientela.settings"}
    return subprocess.run(
        args, env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_desktop_worker_shares_the_web_process_memory(admin):
    """On a desktop the cache is files in the data folder, not each process's memory: the
    job worker sees the names the web process remembered, and forgets them with it when a
    subscription is saved; what the worker remembers, the web process reads."""
    customers.create_contact(actor=admin, data={"full_name": "Before"})  # "none" remembered
    assert _cached_in_another_process() == "[]"
    services.create_subscription(actor=admin, url=HOOK, events=["contact.created"])
    assert _cached_in_another_process() == "null"

    _cached_in_another_process('["contact.created"]')
    assert caches["default"].get(services.SUBSCRIBED_EVENTS_KEY) == ["contact.created"]
    assert not subscription_reads(
        lambda: activities.create_task(actor=admin, title="Sună", assignee=admin)
    )
