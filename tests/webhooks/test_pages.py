"""The Webhooks settings pages: add (secret shown once), log, send again, switch, delete;
and the demo's switched-off webhook."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from clientela.webhooks import services
from clientela.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_adding_a_webhook_shows_its_secret_once(admin_client):
    page = admin_client.post(
        "/settings/webhooks/",
        {"url": "https://shop.example.com/hook", "events": ["contact.created", "task.completed"]},
    )
    assert page.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.events == ["contact.created", "task.completed"]
    assert subscription.secret in page.content.decode()
    assert subscription.secret not in admin_client.get("/settings/webhooks/").content.decode()


def test_a_webhook_needs_an_http_url_and_an_event(admin_client):
    page = admin_client.post("/settings/webhooks/", {"url": "ftp://x.example.com/", "events": []})
    assert page.status_code == 400 and not Subscription.objects.exists()


def test_log_send_again_switch_and_delete(admin_client):
    subscription = services.create_subscription(
        actor=admin_client.admin, url="http://127.0.0.1:9/hook", events=["contact.created"]
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event="contact.created", payload={}, response_code=503
    )
    detail = admin_client.get(f"/settings/webhooks/{subscription.pk}/")
    assert "503" in detail.content.decode()
    admin_client.post(f"/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert Delivery.objects.count() == 2
    admin_client.post(f"/settings/webhooks/{subscription.pk}/toggle/")
    subscription.refresh_from_db()
    assert not subscription.is_active
    admin_client.post(f"/settings/webhooks/{subscription.pk}/delete/")
    assert not Subscription.objects.exists()


def test_the_demo_adds_a_switched_off_webhook(make_user):
    make_user(email="admin@firma.ro", administrator=True)
    call_command("demo")
    demo = Subscription.objects.get()
    assert not demo.is_active and "contact.created" in demo.events
