"""Deals and orders that stopped moving, in the browser: an open deal with nothing logged
for the configured days and an order left in a stage are flagged on the home page and on
their lists, and each list filters them out of the rest."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.deals import services as deal_services
from clientela.deals.models import Deal
from clientela.orders import services as order_services
from clientela.orders.models import Order
from tests.e2e.conftest import log_in
from tests.orders.conftest import build_shop


@pytest.mark.django_db(transaction=True)
def test_stale_deals_and_stuck_orders_are_flagged_and_filtered(
    page, live_server, user, settings, screenshot
):
    settings.DEAL_STALE_AFTER_DAYS = 14
    settings.ORDER_STUCK_AFTER_DAYS = 7
    long_ago = timezone.now() - datetime.timedelta(days=20)
    deal_services.create_deal(actor=user, now=long_ago, data={"name": "Livrare mere Cluj"})
    deal_services.create_deal(actor=user, data={"name": "Ofertă nouă Brașov"})
    shop = build_shop(user)
    lines = [{"product": shop["chair"], "quantity": 2}]
    stuck = order_services.create_order_for_customer(
        actor=user, customer=shop["contact"], lines=lines
    )
    Order.objects.filter(pk=stuck.pk).update(stage_changed_at=long_ago)
    moving = order_services.create_order_for_customer(
        actor=user, customer=shop["contact"], lines=lines
    )
    assert Deal.objects.count() == 2

    log_in(page, live_server, user)
    card = page.locator("[data-stale-work]")
    expect(card).to_contain_text("Livrare mere Cluj")
    expect(card).not_to_contain_text("Ofertă nouă Brașov")
    expect(card.get_by_role("link", name=str(stuck), exact=True)).to_be_visible()
    expect(card.get_by_role("link", name=str(moving), exact=True)).to_have_count(0)
    screenshot(page, "home-stale-work")

    card.get_by_role("link", name="All stale deals").click()
    rows = page.locator("table.table--list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Livrare mere Cluj")
    expect(rows.first.locator(".badge--warning")).to_have_text("Stale")
    expect(page.get_by_label("Stale only")).to_be_checked()
    # Unticked, both deals come back, the fresh one without the flag.
    page.get_by_label("Stale only").uncheck()
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    fresh = rows.filter(has_text="Ofertă nouă Brașov")
    expect(fresh.locator(".badge--warning")).to_have_count(0)

    page.goto(live_server.url + "/orders/")
    flagged = page.locator("tbody tr").filter(has=page.locator(".badge--warning"))
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(str(stuck))
    page.get_by_role("link", name="Stuck", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(str(stuck))


def test_the_api_docs_offer_the_stale_filter_on_the_deals_list(page, live_server, user):
    """Someone scripting against the API finds the list's "Stale only" in the docs."""
    log_in(page, live_server, user)
    page.goto(live_server.url + "/api/docs")
    listing = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/deals/$"))
    )
    listing.locator(".opblock-summary").click(no_wait_after=True)
    parameter = listing.locator('tr[data-param-name="stale"]')
    expect(parameter).to_contain_text("boolean", timeout=15000)
    expect(parameter).to_contain_text("CLIENTELA_DEAL_STALE_DAYS")
    expect(parameter).to_contain_text("Stale only")
