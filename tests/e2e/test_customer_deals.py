"""A contact's and a company's page show their deals: the latest few, and a link to all
of them in the deals list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.deals import services as deal_services
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_a_customers_page_shows_its_deals_and_leads_to_all_of_them(
    page, live_server, user, screenshot
):
    company = customer_services.create_company(actor=user, data={"name": "Livada Verde SRL"})
    ioana = customer_services.create_contact(
        actor=user, data={"full_name": "Ioana Pomi", "company": company}
    )
    for i in range(7):
        deal_services.create_deal(
            actor=user,
            data={"name": f"Livrare mere {i}", "company": company, "contacts": [ioana]},
        )
    deal_services.create_deal(actor=user, data={"name": "Altcineva"})

    log_in(page, live_server, user)
    page.goto(live_server.url + ioana.get_absolute_url())
    panel = page.locator("[data-customer-deals]")
    expect(panel.locator("li")).to_have_count(5)
    screenshot(page, "contact-deals-card")
    expect(panel).to_contain_text("Livrare mere 6")  # the latest first
    expect(panel).not_to_contain_text("Altcineva")
    panel.get_by_role("link", name="See all deals").click()
    rows = page.locator("table.table--list tbody tr")
    expect(rows).to_have_count(7)
    expect(page.locator("table.table--list")).not_to_contain_text("Altcineva")
    expect(page.get_by_text("Customer: Ioana Pomi")).to_be_visible()

    page.goto(live_server.url + company.get_absolute_url())
    expect(page.locator("[data-customer-deals] li")).to_have_count(5)
