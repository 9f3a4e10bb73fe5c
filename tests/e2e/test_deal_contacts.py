"""A new deal picks its people before it is saved: the company picked from the
suggestions offers its contacts at once, one is ticked, and the saved deal has them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services
from clientela.deals.models import Deal
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_a_new_deal_offers_the_people_of_the_company_picked(page, live_server, user, screenshot):
    company = services.create_company(actor=user, data={"name": "Livada Verde SRL"})
    for name in ("Ioana Pomi", "Radu Meru"):
        services.create_contact(actor=user, data={"full_name": name, "company": company})
    log_in(page, live_server, user)

    page.goto(live_server.url + "/deals/new/")
    contacts = page.locator("#field-for-id_contacts")
    expect(contacts).to_contain_text("Name the company first")
    page.get_by_label("Name").fill("Livezi noi")
    page.get_by_label("Company").press_sequentially("Livada")
    page.get_by_role("option", name="Livada Verde SRL").click()
    expect(contacts.get_by_label("Ioana Pomi")).to_be_visible()
    contacts.get_by_label("Radu Meru").check()
    screenshot(page, "deal-new-contacts")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Livezi noi")).to_be_visible()
    deal = Deal.objects.get(name="Livezi noi")
    assert [c.full_name for c in deal.contacts.all()] == ["Radu Meru"]
    assert deal.company == company
