"""An order's walk in the browser: placed from the customer's page, invoiced and paid,
shipped with a tracking number, delivered, and seen on the customer's timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.orders.models import Order
from clientela.users.services import role_named
from tests.orders.conftest import build_shop

PASSWORD = "Corect-cal-baterie-9"


@pytest.mark.django_db(transaction=True)
def test_place_pay_ship_and_deliver_an_order(page, live_server, make_user, screenshot):
    manager = make_user(full_name="Ana Popescu", role=role_named("manager"))
    shop = build_shop(manager)
    contact = shop["contact"]
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()

    page.goto(live_server.url + contact.get_absolute_url())
    orders_card = page.get_by_role("region", name="Orders")
    expect(orders_card.get_by_text("No orders yet.")).to_be_visible()
    orders_card.get_by_role("link", name="New order").click()
    expect(page.get_by_role("heading", name="New order for Ioana Marin")).to_be_visible()
    page.get_by_label("Product 1").select_option(label="Office chair · CH-1 · 450.00 RON")
    page.get_by_label("Quantity 1").fill("2")
    page.get_by_role("button", name="Add a row").click()
    page.get_by_label("Product 2").select_option(label="Standing desk · DS-1 · 1200.50 RON")
    page.get_by_label("Quantity 2").fill("1")
    page.get_by_label("Quantity 2").press("Tab")
    expect(page.locator("#order-total")).to_have_text("2,379.55 RON")
    screenshot(page, "order-new")
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order #{order.pk}")).to_be_visible()
    expect(page.get_by_text("2,379.55 RON").first).to_be_visible()
    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_text("Invoice INV-000001 issued.")).to_be_visible()
    payment = page.get_by_role("region", name="Invoices and payments")
    expect(payment.get_by_label("Amount")).to_have_value("2379.55")
    payment.get_by_label("Method").fill("Bank transfer")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment recorded on INV-000001.")).to_be_visible()
    expect(page.locator(".record-header").get_by_text("Paid", exact=True)).to_be_visible()

    shipments = page.get_by_role("region", name="Shipments")
    shipments.get_by_label("Carrier").select_option(label="FAN Courier")
    shipments.get_by_label("Tracking number").fill("AWB123456")
    shipments.get_by_role("button", name="Create shipment").click()
    tracking = page.get_by_role("link", name="AWB123456")
    expect(tracking).to_have_attribute("href", "https://fan.example/awb/AWB123456")
    expect(page.locator(".record-header").get_by_text("Shipped", exact=True)).to_be_visible()
    shipments = page.get_by_role("region", name="Shipments")
    shipments.get_by_label("New status").select_option(label="Delivered")
    shipments.get_by_role("button", name="Update status").click()
    expect(page.locator(".record-header").get_by_text("Delivered", exact=True)).to_be_visible()
    screenshot(page, "order-detail")

    page.goto(live_server.url + contact.get_absolute_url())
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text(f"Order #{order.pk}: Delivered")).to_be_visible()
    expect(timeline.get_by_text("Tracking number AWB123456")).to_be_visible()
    expect(
        page.get_by_role("region", name="Orders").get_by_text("2,379.55 RON").first
    ).to_be_visible()
    screenshot(page, "order-on-customer")

    page.goto(live_server.url + "/orders/")
    expect(page.get_by_role("link", name=f"Order #{order.pk}")).to_be_visible()
    screenshot(page, "orders-list")
