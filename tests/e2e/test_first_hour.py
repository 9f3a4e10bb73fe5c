"""What a new user trips over in the first hour, in the browser: quick add reopened after
a duplicate warning keeps to the content security policy; "First steps" ticks the search
once the palette has been opened; the contact form's fields line up; an order's totals
are in view on a phone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clientela.customers import services
from clientela.orders import services as order_services
from clientela.orders import stock
from clientela.orders.models import Price, Product
from clientela.users.services import create_user
from tests.e2e.conftest import PHONE, log_in
from tests.orders.conftest import build_shop

PASSWORD = "Corect-cal-baterie-9"

# Every refusal of the content security policy, however it came (inline style or script).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"} ${event.sample || ""}`);
});
"""


@pytest.fixture
def admin(db):
    return create_user(
        email="ana@firma.ro", full_name="Ana Popescu", password=PASSWORD, administrator=True
    )


def open_quick_add(page):
    page.wait_for_load_state("load")
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name="Add a contact")
    expect(dialog.get_by_label("Name")).to_be_focused()
    return dialog


@pytest.mark.django_db(transaction=True)
def test_quick_add_reopened_after_a_duplicate_warning_keeps_the_policy(page, live_server, admin):
    services.create_contact(
        actor=admin, data={"full_name": "Ioana Dumitrescu", "emails": ["ioana@fabrica.ro"]}
    )
    page.add_init_script(WATCH_CSP)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    log_in(page, live_server, admin)

    dialog = open_quick_add(page)
    dialog.get_by_label("Name").fill("Ioana D.")
    dialog.get_by_label("E-mail").fill("ioana@fabrica.ro")
    expect(dialog.locator(".suspects")).to_contain_text("Ioana Dumitrescu")
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog.get_by_role("button", name="Add anyway")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    dialog = open_quick_add(page)
    expect(dialog.get_by_role("button", name="Add contact")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    dialog.get_by_label("Name").fill("Ioana D.")
    dialog.get_by_label("E-mail").fill("ioana@fabrica.ro")
    expect(dialog.locator(".suspects")).to_contain_text("Ioana Dumitrescu")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    dialog = open_quick_add(page)

    assert page.evaluate("window.__cspViolations") == []
    assert not [text for text in messages if "Content Security Policy" in text], messages


@pytest.mark.django_db(transaction=True)
def test_first_steps_tick_the_search_once_the_palette_opened(page, live_server, admin):
    log_in(page, live_server, admin)
    search_step = page.locator('[data-first-step="search"]')
    expect(search_step).not_to_have_class("steps__item is-done")
    page.wait_for_load_state("load")
    page.keyboard.press("Control+k")
    expect(page.get_by_role("dialog", name="Search")).to_be_visible()
    page.keyboard.press("Escape")
    page.reload()
    expect(page.locator('[data-first-step="search"]')).to_have_class("steps__item is-done")


@pytest.mark.django_db(transaction=True)
def test_the_contact_form_puts_each_field_right_under_its_label(page, live_server, admin):
    log_in(page, live_server, admin)
    page.goto(live_server.url + "/contacts/new/")
    gaps = page.evaluate(
        """() => Array.from(document.querySelectorAll(".form--grid .field")).map((field) => {
          const label = field.querySelector("label").getBoundingClientRect();
          const control = field.querySelector("input:not([type=hidden]), select, textarea");
          const box = control.getBoundingClientRect();
          return [field.querySelector("label").textContent.trim(), Math.round(box.top - label.bottom), Math.round(box.left - label.left)];
        })"""
    )
    assert len(gaps) >= 10
    # A field beside a taller one (help text, a text area) kept its input centred in the
    # row, and the marketing checkbox floated in the middle of its cell.
    assert {(top, left) for _label, top, left in gaps} == {(4, 0)}, gaps


@pytest.mark.django_db(transaction=True)
def test_an_orders_totals_are_in_view_on_a_phone(page, live_server, admin):
    shop = build_shop(admin)
    cabinet = Product.objects.create(
        sku="DULAP-ARHIVA-0001", name="Dulap metalic pentru arhivă cu patru sertare și încuietoare"
    )
    Price.objects.create(price_list=shop["price_list"], product=cabinet, unit_price=Decimal("0"))
    stock.receive(actor=admin, product=cabinet, warehouse=shop["warehouse"], quantity=5)
    lines = [{"product": shop[name], "quantity": 1} for name in ("chair", "desk", "lamp")] + [
        {"product": cabinet, "quantity": 1}
    ]
    order = order_services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=lines
    )
    log_in(page, live_server, admin)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/orders/{order.pk}/")
    total = page.locator("tfoot tr").filter(has_text="Total").locator("strong")
    expect(total).to_have_text("1,962.93 RON")
    # Where it is drawn, without scrolling anything sideways (a scroll into view would).
    right, frame_right = total.evaluate(
        """(el) => [el.getBoundingClientRect().right,
                   el.closest(".table-wrap").getBoundingClientRect().right]"""
    )
    assert right <= min(frame_right, PHONE["width"]), (right, frame_right)
