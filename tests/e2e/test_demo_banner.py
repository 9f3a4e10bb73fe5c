"""The demo data set says what it is: a banner on the home page while it is there, and an
administrator's button that takes exactly those records to the trash."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.core import demo_records
from clientela.customers import services
from clientela.customers.models import Contact
from clientela.users.services import create_user
from tests.e2e.conftest import log_in

PASSWORD = "Corect-cal-baterie-9"


@pytest.mark.django_db(transaction=True)
def test_an_administrator_removes_the_demo_records_and_keeps_their_own(
    page, live_server, screenshot
):
    admin = create_user(
        email="ana@firma.ro", full_name="Ana Popescu", password=PASSWORD, administrator=True
    )
    mine = services.create_contact(actor=admin, data={"full_name": "Ioana Pomi"})
    before = demo_records.last_ids()
    for name in ("Andrei Popa", "Lucía Fernández", "Priya Sharma"):  # as `clientela demo` does
        services.create_contact(actor=admin, data={"full_name": name})
    demo_records.mark_added_since(before)

    log_in(page, live_server, admin)
    banner = page.locator("[data-demo-banner]")
    expect(banner).to_contain_text("These are example records.")
    screenshot(page, "home-demo-banner")
    banner.get_by_role("button", name="Remove demo data").click()
    expect(page.get_by_text("3 example records moved to the trash")).to_be_visible()
    expect(page.locator("[data-demo-banner]")).to_have_count(0)
    assert list(Contact.objects.live()) == [mine]

    page.goto(live_server.url + "/trash/")
    for name in ("Andrei Popa", "Lucía Fernández", "Priya Sharma"):
        expect(page.get_by_text(name)).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_my_day_shows_the_banner_and_removes_the_demo_from_there(page, live_server, screenshot):
    admin = create_user(
        email="ana@firma.ro", full_name="Ana Popescu", password=PASSWORD, administrator=True
    )
    rep = create_user(email="dan@firma.ro", full_name="Dan Rep", password=PASSWORD)
    before = demo_records.last_ids()
    services.create_contact(actor=admin, data={"full_name": "Andrei Popa"})
    demo_records.mark_added_since(before)

    log_in(page, live_server, rep)
    page.goto(live_server.url + "/my-day/")
    banner = page.locator("[data-demo-banner]")
    expect(banner).to_contain_text("These are example records.")
    expect(banner.get_by_role("button", name="Remove demo data")).to_have_count(0)
    page.context.clear_cookies()

    log_in(page, live_server, admin)
    page.goto(live_server.url + "/my-day/")
    banner = page.locator("[data-demo-banner]")
    expect(banner).to_contain_text("These are example records.")
    screenshot(page, "my-day-demo-banner")
    banner.get_by_role("button", name="Remove demo data").click()
    expect(page.get_by_text("1 example record moved to the trash")).to_be_visible()
    expect(page.get_by_role("heading", name="My day", exact=True)).to_be_visible()
    assert page.url == live_server.url + "/my-day/"
    expect(page.locator("[data-demo-banner]")).to_have_count(0)
    assert not Contact.objects.live().exists()
