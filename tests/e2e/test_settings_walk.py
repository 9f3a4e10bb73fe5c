"""Settings in the browser: an administrator adds a product, gives it a price on the
default price list and receives it in stock from the Settings pages, then finds it in a new
order's form, where rows are added and removed and the total follows what is typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clientela.orders.models import Order, Price, Product
from tests.e2e.conftest import log_in
from tests.orders.conftest import build_shop


@pytest.mark.django_db(transaction=True)
def test_a_new_product_is_priced_in_settings_and_sold_in_an_order(
    page, live_server, make_user, screenshot
):
    admin = make_user(full_name="Ana Admin", administrator=True)
    shop = build_shop(admin)
    log_in(page, live_server, admin)

    page.goto(live_server.url + "/settings/")
    screenshot(page, "settings-index")
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    screenshot(page, "settings-products")
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name").fill("Meeting table")
    page.get_by_label("SKU").fill("TB-1")
    page.get_by_label("Active").check()
    screenshot(page, "settings-product-new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Meeting table (TB-1)” saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Meeting table")).to_be_visible()
    assert Product.objects.get(sku="TB-1").active

    page.goto(live_server.url + "/settings/price-lists/")
    screenshot(page, "settings-price-lists")
    page.get_by_role("link", name="3", exact=True).click()  # the default list's prices
    expect(page.get_by_role("heading", name="Prices: Standard (RON)")).to_be_visible()
    page.get_by_role("link", name="New price").click()
    expect(page.get_by_label("Price list")).to_have_value(str(shop["price_list"].pk))
    page.get_by_label("Product").select_option(label="Meeting table (TB-1)")
    page.get_by_label("Unit price").fill("300")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("300.00 RON")).to_be_visible()
    screenshot(page, "settings-prices")
    assert Price.objects.get(product__sku="TB-1").price_list == shop["price_list"]

    page.goto(live_server.url + "/settings/stock/")
    page.get_by_role("link", name="Receive or count").click()
    page.get_by_label("Product").select_option(label="Meeting table (TB-1)")
    page.get_by_label("Warehouse").select_option(label="Cluj")
    page.get_by_label("What happened").select_option(label="Goods received")
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name="Meeting table Cluj 5 0 5")).to_be_visible()
    screenshot(page, "settings-stock")

    page.goto(live_server.url + f"/orders/new/?customer=contact:{shop['contact'].pk}")
    page.get_by_label("Product 1").select_option(label="Meeting table · TB-1 · 300.00 RON")
    page.get_by_label("Quantity 1").fill("2")
    page.get_by_label("Quantity 1").press("Tab")
    expect(page.locator("#order-total")).to_have_text("714.00 RON")  # 600 + 19 %
    page.get_by_role("button", name="Add a row").click()
    expect(page.get_by_label("Product 2")).to_be_focused()
    page.get_by_label("Product 2").select_option(label="Desk lamp · LM-1 · 99.90 RON")
    expect(page.locator("#order-total")).to_have_text("832.88 RON")  # + 99.90 + 19 %
    page.get_by_role("button", name="Add a row").click()
    page.get_by_label("Product 3").select_option(label="Office chair · CH-1 · 450.00 RON")
    screenshot(page, "order-form-rows")
    page.get_by_role("button", name="Remove line 2").click()
    expect(page.get_by_label("Product 3")).to_have_count(0)
    expect(page.get_by_label("Product 2")).to_have_value(f"{shop['chair'].pk}@450.00")
    expect(page.locator("#order-total")).to_have_text("1,249.50 RON")  # 600 + 450 + 19 %
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order #"))).to_be_visible()
    order = Order.objects.get()
    assert [line.description for line in order.lines.all()] == ["Meeting table", "Office chair"]
    expect(
        page.get_by_text("This order is not paid yet: it ships once its invoice is paid.")
    ).to_be_visible()
    screenshot(page, "order-unpaid-no-shipping")


@pytest.mark.django_db(transaction=True)
def test_the_order_form_works_without_javascript(browser, live_server, make_user):
    admin = make_user(full_name="Ana Admin", administrator=True)
    shop = build_shop(admin)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, admin)
        page.goto(live_server.url + f"/orders/new/?customer=contact:{shop['contact'].pk}")
        page.get_by_label("Product 1").select_option(label="Office chair · CH-1 · 450.00 RON")
        page.get_by_label("Quantity 1").fill("2")
        page.get_by_role("button", name="Add a row").click()
        expect(page.locator("#order-total")).to_have_text("1,071.00 RON")
        page.get_by_label("Product 2").select_option(label="Standing desk · DS-1 · 1200.50 RON")
        page.get_by_role("button", name="Update the total").click()
        expect(page.locator("#order-total")).to_have_text("2,379.55 RON")  # 2,100.50 + tax
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Order #"))).to_be_visible()
        order = Order.objects.get()
        assert order.lines.count() == 2
    finally:
        context.close()
