"""A customer's page paints first, then its cards load by themselves: their shipments and
the files on their orders among them (issue 27); without scripts each card's link opens
it on a page of its own. Nothing sticks out at 1440 or 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.orders.conftest import build_shop, shipped_order_with_file


def assert_fits(page) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide[0] <= wide[1], f"{size['width']} px: {wide[0]} px wide"
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_a_customers_cards_load_after_the_page_and_show_shipments_and_order_files(
    page, browser, live_server, user, screenshot
):
    shop = build_shop(user)
    order = shipped_order_with_file(user, shop, tracking="AWB5150", file_name="aviz-livrare.pdf")

    log_in(page, live_server, user)
    for record in (shop["contact"], shop["company"]):
        page.goto(live_server.url + record.get_absolute_url())
        shipments = page.locator("[data-customer-shipments]")
        expect(shipments).to_contain_text("AWB5150")
        expect(shipments).to_contain_text("FAN Courier")
        expect(shipments.get_by_role("link", name="AWB5150")).to_have_attribute(
            "href", "https://fan.example/awb/AWB5150"
        )
        files = page.locator("[data-customer-order-files]")
        expect(files.get_by_role("link", name="aviz-livrare.pdf")).to_be_visible()
        expect(files.get_by_role("link", name=f"Order #{order.pk}")).to_be_visible()
        expect(page.locator(".card--loading")).to_have_count(0)
        assert_fits(page)
    screenshot(page, "company-cards-loaded")
    page.locator("[data-customer-order-files]").get_by_role(
        "link", name=f"Order #{order.pk}"
    ).click()
    expect(page).to_have_url(live_server.url + order.get_absolute_url())

    # Without scripts: the placeholders stay, and each one's link opens its card.
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    still = context.new_page()
    still.set_default_timeout(15000)
    try:
        log_in_without_scripts(still, live_server, user)
        still.goto(live_server.url + shop["contact"].get_absolute_url())
        placeholder = still.locator("#panel-shipments")
        expect(placeholder).to_contain_text("Shipments")
        placeholder.get_by_role("link", name="Show").click()
        expect(still.locator("[data-customer-shipments]")).to_contain_text("AWB5150")
        expect(still.get_by_role("link", name=str(shop["contact"]))).to_be_visible()
        assert_fits(still)
        screenshot(still, "contact-shipments-card-page")
    finally:
        context.close()


def log_in_without_scripts(page, live_server, user) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("Corect-cal-baterie-9")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
