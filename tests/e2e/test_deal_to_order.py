"""A deal's products in the browser: added and changed in place, the deal won, and turned
into an order in one click that lands on the order with the agreed line and total."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.deals import services
from clientela.orders.models import Order
from clientela.users.services import role_named
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.orders.conftest import build_shop


@pytest.mark.django_db(transaction=True)
def test_quote_products_on_a_deal_win_it_and_create_the_order(
    page, live_server, make_user, screenshot
):
    manager = make_user(full_name="Ana Popescu", role=role_named("manager"))
    shop = build_shop(manager)
    deal = services.create_deal(
        actor=manager, data={"name": "Office for 12", "company": shop["company"]}
    )
    log_in(page, live_server, manager)

    page.goto(live_server.url + deal.get_absolute_url())
    products = page.get_by_role("region", name="Products")
    expect(products.get_by_text("No products yet.")).to_be_visible()
    products.get_by_label("Product", exact=True).select_option(
        label="Office chair · CH-1 · 450.00 RON"
    )
    products.get_by_label("Quantity", exact=True).fill("2")
    products.get_by_label("Unit price", exact=True).fill("420")
    products.get_by_role("button", name="Add product").click()
    expect(page.get_by_text("Product added to Office for 12.")).to_be_visible()
    header = page.locator(".record-header")
    expect(header.get_by_text("840.00 RON")).to_be_visible()

    products = page.get_by_role("region", name="Products")
    products.get_by_label("Product", exact=True).select_option(label="Desk lamp · LM-1 · 99.90 RON")
    products.get_by_role("button", name="Add product").click()
    expect(header.get_by_text("939.90 RON")).to_be_visible()
    page.get_by_label("Quantity of Office chair").fill("3")
    page.get_by_role("row", name="Office chair").get_by_role("button", name="Save").click()
    expect(page.locator(".record-header").get_by_text("1,359.90 RON")).to_be_visible()
    page.get_by_role("button", name="Remove Desk lamp").click()
    expect(page.locator(".record-header").get_by_text("1,260.00 RON")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shots = screenshot(page, "deal-lines")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "deal-lines-1280.png"), full_page=True)
    assert all(path.exists() for path in shots)

    # The forms swapped in by htmx carry the deal's new version: winning it just works.
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_text("Office for 12 is won.")).to_be_visible()
    page.get_by_role("button", name="Create order").click()

    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order #{order.pk}")).to_be_visible()
    lines = page.get_by_role("region", name="Lines")
    expect(lines.get_by_role("row", name="Office chair")).to_contain_text("420.00")
    expect(lines.get_by_role("row", name="Office chair")).to_contain_text("3 pcs")
    expect(lines.get_by_text("1,499.40 RON")).to_be_visible()  # 1,260.00 and 19% tax
    screenshot(page, "deal-order")
    page.get_by_role("region", name="Details").get_by_role("link", name="Office for 12").click()
    expect(page.get_by_role("heading", name="Office for 12")).to_be_visible()
    expect(
        page.locator(".record-header").get_by_role("link", name=f"Order #{order.pk}")
    ).to_be_visible()
