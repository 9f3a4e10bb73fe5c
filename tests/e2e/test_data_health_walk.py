"""Data health in the browser: a number an import kept as written is corrected on the
page itself, a wrong one refused beside its field, at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services
from clientela.customers.models import PhoneNumber
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.test_overflow import check


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_an_unverified_number_is_corrected_on_data_health(
    browser, live_server, make_user, screenshot, size
):
    admin = make_user(full_name="Ana Admin", administrator=True)
    gil = services.create_contact(
        actor=admin,
        data={
            "full_name": "Lucía Gil Fernández de Córdoba",
            "addresses": [{"city": "Madrid", "country": "ES"}],
        },
    )
    PhoneNumber.objects.create(
        contact=gil, raw="612 345 678", e164="612345678", digits="612345678", verified=False
    )
    page = browser.new_context(viewport=size).new_page()
    log_in(page, live_server, admin)
    page.goto(live_server.url + "/imports/data-health/")
    form = page.get_by_role("form", name="Correct the number of Lucía Gil Fernández de Córdoba")
    # Offered as kept, in the country of the contact's address.
    expect(form.get_by_label("Number")).to_have_value("612 345 678")
    expect(form.get_by_label("Country")).to_have_value("ES")
    assert check(page, "data health", desktop=size == DESKTOP) == []

    form.get_by_label("Country").fill("RO")
    form.get_by_role("button", name="Save the number").click()
    error = page.get_by_role("alert").filter(has_text="is not a valid phone number in RO")
    expect(error).to_be_visible()
    form = page.get_by_role("form", name="Correct the number of Lucía Gil Fernández de Córdoba")
    expect(form.get_by_label("Number")).to_have_attribute("aria-invalid", "true")
    assert check(page, "data health, refused", desktop=size == DESKTOP) == []
    if size == PHONE:
        screenshot(page, "data-health-refused")
    assert PhoneNumber.objects.get(contact=gil).verified is False

    form.get_by_label("Country").fill("ES")
    form.get_by_role("button", name="Save the number").click()
    expect(page.get_by_text("+34 612 34 56 78 is checked and stored.")).to_be_visible()
    expect(page.get_by_text("Every phone number is checked")).to_be_visible()
    assert list(gil.phones.values_list("e164", "verified")) == [("+34612345678", True)]
    page.goto(live_server.url + f"/contacts/{gil.pk}/")
    expect(page.locator("#record-header")).to_contain_text("+34 612 34 56 78")
    expect(page.locator("#record-header")).not_to_contain_text("unverified")
    page.context.close()
