"""Webhooks against a real HTTP receiver on 127.0.0.1 that fails first: queued through the
job interface, signed, retried with backoff, logged, switched off after repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.customers import services as customers
from clientela.users.services import create_user, role_named, team_named
from clientela.webhooks import services
from clientela.webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db


class Receiver:
    """Answers the status codes it is given in turn (then 200) and keeps what it got."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for one in made:
        one.close()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (the docs show the same)."""
    parts = dict(item.split("=", 1) for item in headers["Clientela-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def queued_deliveries():
    return DBTaskResult.objects.filter(task_path="clientela.webhooks.tasks.deliver")


def test_an_event_is_delivered_signed_after_a_failed_first_attempt(receiver, settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 2
    hook = receiver(500)
    admin = create_user(email="admin@firma.ro", administrator=True)
    subscription = services.create_subscription(
        actor=admin, url=hook.url, events=["contact.created", "contact.updated"]
    )
    contact = customers.create_contact(actor=admin, data={"full_name": "Ion Popescu"})

    delivery = Delivery.objects.get()
    assert delivery.event == "contact.created"
    job = queued_deliveries().get()
    assert job.args_kwargs["args"] == [delivery.pk]

    services.deliver(delivery.pk)  # what the worker runs
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.response_code == 500
    assert delivery.attempts == 1 and delivery.next_attempt_at is not None
    retry = queued_deliveries().exclude(pk=job.pk).get()
    assert retry.run_after == delivery.next_attempt_at  # backoff: base after the first failure

    services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_code == 200
    assert len(hook.received) == 2
    headers, body = hook.received[-1]
    assert verify(subscription.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    payload = json.loads(body)
    assert payload["event"] == "contact.created" and payload["data"]["id"] == contact.pk
    assert payload["data"]["full_name"] == "Ion Popescu"
    assert headers["Clientela-Delivery"] == payload["id"]


def test_backoff_doubles():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


def test_a_subscription_is_switched_off_after_repeated_failures(receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER = 2
    hook = receiver(500, 503)
    admin = create_user(email="admin@firma.ro", administrator=True)
    subscription = services.create_subscription(
        actor=admin, url=hook.url, events=["task.completed"]
    )
    from clientela.activities import services as activities

    task = activities.create_task(actor=admin, title="Call", assignee=admin)
    assert not Delivery.objects.exists()  # task.created was not subscribed
    activities.set_task_done(actor=admin, task=task, done=True)
    delivery = Delivery.objects.get(event="task.completed")
    services.deliver(delivery.pk)
    services.deliver(delivery.pk)
    subscription.refresh_from_db()
    delivery.refresh_from_db()
    assert not subscription.is_active and "2" in subscription.disabled_reason
    assert delivery.status == DeliveryStatus.FAILED
    # Manual redelivery after switching it back on works.
    services.set_active(actor=admin, subscription=subscription, active=True)
    again = services.redeliver(actor=admin, delivery=delivery)
    services.deliver(again.pk)
    again.refresh_from_db()
    assert again.status == DeliveryStatus.SUCCEEDED and again.response_code == 200
    assert Delivery.objects.filter(subscription=subscription).count() == 2  # the log keeps both


def test_events_of_records_the_owner_may_not_see_are_not_sent(receiver):
    hook = receiver()
    manager = create_user(
        email="m@firma-a.ro", team=team_named("A"), role=role_named("sales-representative")
    )
    Subscription.objects.create(owner=manager, url=hook.url, events=["contact.created"], secret="s")
    other = create_user(email="o@firma-b.ro", team=team_named("B"))
    customers.create_contact(actor=other, data={"full_name": "Secreta"})
    assert not Delivery.objects.exists()


def test_a_rolled_back_change_sends_nothing(receiver):
    from django.db import transaction

    hook = receiver()
    admin = create_user(email="admin@firma.ro", administrator=True)
    services.create_subscription(actor=admin, url=hook.url, events=["contact.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        customers.create_contact(actor=admin, data={"full_name": "Gone"})
        raise RuntimeError
    assert not Delivery.objects.exists() and not queued_deliveries().exists()
