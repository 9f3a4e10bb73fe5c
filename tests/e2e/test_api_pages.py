"""The API tokens and webhooks settings pages, and the API docs page under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.webhooks import services as webhooks
from clientela.webhooks.models import Delivery
from tests.e2e.test_notifications_bell import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_token_and_webhook_pages_and_the_docs(live_server, page, make_user, screenshot):
    admin = make_user(email="admin@example.com", full_name="Ana Popescu", administrator=True)
    log_in(page, live_server, "admin@example.com", "Corect-cal-baterie-9")

    page.goto(live_server.url + "/account/api-tokens/")
    page.get_by_label("Name").fill("Shop sync")
    page.get_by_label("contacts:write").check()
    page.get_by_label("tasks:read").check()
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").input_value().startswith("clt_")
    expect(page.get_by_role("cell", name="Shop sync")).to_be_visible()
    screenshot(page, "api-tokens")

    subscription = webhooks.create_subscription(
        actor=admin,
        url="https://shop.example.com/hooks/clientela",
        events=["contact.created", "task.completed"],
    )
    page.goto(live_server.url + "/settings/webhooks/")
    expect(
        page.get_by_role("link", name="https://shop.example.com/hooks/clientela")
    ).to_be_visible()
    screenshot(page, "webhooks")
    Delivery.objects.create(
        subscription=subscription,
        event="contact.created",
        payload={},
        status="succeeded",
        attempts=2,
        response_code=200,
        response_excerpt="ok",
    )
    Delivery.objects.create(
        subscription=subscription,
        event="task.completed",
        payload={},
        status="failed",
        attempts=6,
        response_code=500,
        response_excerpt="Internal error",
    )
    page.goto(live_server.url + f"/settings/webhooks/{subscription.pk}/")
    expect(page.get_by_role("cell", name="task.completed")).to_be_visible()
    screenshot(page, "webhook-detail")

    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(live_server.url + "/api/docs")
    expect(page.get_by_text("/api/v1/contacts/", exact=True).first).to_be_visible(timeout=15000)
    screenshot(page, "api-docs")
    assert not external, external
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e], errors
