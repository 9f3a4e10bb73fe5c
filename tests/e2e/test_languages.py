"""A visitor picks Romanian on the log-in page, then Hindi from the user menu: the pages, the
account and the script's strings follow, and nothing is wider than a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from clientela.customers import services

PASSWORD = "Corect-cal-baterie-9"


def fits_a_phone(page) -> bool:
    page.set_viewport_size({"width": 390, "height": 844})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1440, "height": 900})
    return fits


def test_the_language_picked_is_the_one_every_page_and_script_speaks(
    page, live_server, user, screenshot
):
    services.create_contact(actor=user, data={"full_name": "Ioana Marin", "phones": ["0722000001"]})

    page.goto(live_server.url + "/login/")
    page.wait_for_load_state("load")
    # No button to press: choosing sends the form (the button is there without scripts).
    expect(page.get_by_role("button", name="Change language")).to_be_hidden()
    page.get_by_label("Language").select_option("ro")
    expect(page.get_by_role("heading", name="Autentificare în Clientela")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ro"
    screenshot(page, "login-ro")
    assert fits_a_phone(page)

    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    expect(page.get_by_role("heading", name="Bun venit, Ana")).to_be_visible()

    page.get_by_label("Contul meu").click()
    page.locator("#menu-language").select_option("hi")
    expect(page.get_by_role("heading", name="स्वागत है, Ana")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "hi"
    user.refresh_from_db()
    assert user.language == "hi"
    page.get_by_label("आपका खाता").click()
    screenshot(page, "home-hi-user-menu")
    assert fits_a_phone(page)

    # The bulk bar's count comes from the JavaScript catalogue, with Hindi's plural.
    page.goto(live_server.url + "/contacts/")
    page.wait_for_load_state("load")
    page.get_by_label("Ioana Marin चुनें").check()
    expect(page.locator("[data-bulk-label]")).to_have_text("1 चुना गया")
    screenshot(page, "contacts-hi-selected")
    assert fits_a_phone(page)
