"""The contact and company forms take the main address (the one invoices print); editing
it keeps the record's other addresses."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services
from clientela.customers.models import Company, Contact
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_an_address_typed_in_the_forms_is_kept_and_shown(page, live_server, user):
    log_in(page, live_server, user)
    page.goto(live_server.url + "/contacts/new/")
    page.get_by_label("Full name").fill("Ioana Pomi")
    page.get_by_label("Street").fill("Strada Merilor 12")
    page.get_by_label("City").fill("Cluj-Napoca")
    page.get_by_label("Postal code").fill("400001")
    page.get_by_label("Country").fill("ro")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Ioana Pomi", level=1)).to_be_visible()
    expect(page.locator(".record-layout__side")).to_contain_text("Strada Merilor 12")
    address = Contact.objects.get().addresses.get()
    assert (address.street, address.city, address.postal_code, address.country) == (
        "Strada Merilor 12",
        "Cluj-Napoca",
        "400001",
        "RO",
    )

    company = services.create_company(
        actor=user,
        data={
            "name": "Livada Verde SRL",
            "addresses": [
                {"address_kind": "billing", "street": "Calea Turzii 1", "city": "Cluj-Napoca"},
                {"address_kind": "shipping", "street": "Depozit 3", "city": "Florești"},
            ],
        },
    )
    page.goto(live_server.url + f"/companies/{company.pk}/edit/")
    expect(page.get_by_label("Street")).to_have_value("Calea Turzii 1")
    page.get_by_label("Street").fill("Calea Turzii 100")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Livada Verde SRL", level=1)).to_be_visible()
    kept = Company.objects.get().addresses.order_by("position")
    assert [(a.address_kind, a.street) for a in kept] == [
        ("billing", "Calea Turzii 100"),
        ("shipping", "Depozit 3"),
    ]
