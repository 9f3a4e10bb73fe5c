"""An order's amounts reach no page of a role without "see_sensitive": the orders list, an
order with its lines, totals, invoice and payment, the customer's orders panel and the new
order form show the mark of a hidden amount or nothing, and their templates are given the
records presented, amounts None, never the records themselves. A manager sees them all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.core import presenting
from clientela.core.permissions import HIDDEN
from clientela.orders import invoicing, services, stock
from clientela.orders.models import Price, Product
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop, page, raw_in_context, shows_none_of

PRICE = Decimal("4321.09")
PAID = Decimal("1111.11")


@pytest.fixture
def office(db):
    team = team_named("Sales")
    manager = create_user(email="boss@firma.ro", role=role_named("manager"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    shop = build_shop(manager)
    boiler = Product.objects.create(sku="BO-1", name="Boiler", tax_rate=Decimal("19"))
    Price.objects.create(price_list=shop["price_list"], product=boiler, unit_price=PRICE)
    stock.receive(actor=None, product=boiler, warehouse=shop["warehouse"], quantity=5)
    order = services.create_order_for_customer(
        actor=manager, customer=shop["contact"], lines=[{"product": boiler, "quantity": 2}]
    )
    invoice = invoicing.issue_invoice(actor=manager, order=order)
    invoicing.record_payment(actor=manager, invoice=invoice, amount=PAID)
    order.refresh_from_db()
    line = order.lines.get()
    return {
        "manager": manager,
        "rep": rep,
        "shop": shop,
        "order": order,
        # The price, the line's net and tax, the order's net, tax and total, the invoice's
        # total, the payment and what is still due.
        "figures": [
            PRICE,
            line.net,
            line.tax,
            order.net_total,
            order.tax_total,
            order.total,
            invoice.total,
            PAID,
            invoice.total - PAID,
        ],
    }


def test_the_orders_list_marks_the_totals_for_a_representative(client, office):
    response = page(client, office["rep"], "/orders/")
    body = response.content.decode()
    assert str(office["order"]) in body and f'<td class="table__num num">{HIDDEN}</td>' in body
    shows_none_of(response, office["figures"])
    assert [order.total for order in response.context["page"].items] == [None]

    manager = page(client, office["manager"], "/orders/").content.decode()
    assert "10,284.19 RON" in manager


def test_an_order_page_shows_lines_invoice_and_payment_without_amounts(client, office):
    order = office["order"]
    response = page(client, office["rep"], order.get_absolute_url())
    body = response.content.decode()
    assert "Boiler" in body and "INV-000001" in body and "Payment" in body
    assert "/pdf/" not in body  # the PDF is refused to the role: no link to it
    shows_none_of(response, office["figures"])
    context = response.context
    shown = context["order"]
    assert (shown.net_total, shown.tax_total, shown.total) == (None, None, None)
    (line,) = context["lines"]
    assert (line.description, line.quantity) == ("Boiler", 2)
    assert (line.unit_price, line.net, line.tax) == (None, None, None)
    (invoice,) = context["invoices"]
    assert (invoice.total, invoice.paid, invoice.due, invoice.pdf_url) == (None,) * 4
    assert invoice.settled is False  # still owed: the payment form stays, empty
    assert [payment.amount for payment in invoice.payments.all()] == [None]
    assert context["payment_form"].initial["amount"] is None
    assert 'name="amount"' in body

    manager = page(client, office["manager"], order.get_absolute_url()).content.decode()
    assert "10,284.19 RON" in manager and "9173.08 due" in manager and "1111.11" in manager
    assert f"/invoices/{order.invoices.get().pk}/pdf/" in manager
    assert 'value="9173.08"' in manager  # the payment form offers what is due


@pytest.mark.parametrize("customer", ["contact", "company"])
def test_the_customers_orders_panel_has_no_total_or_lifetime_value(client, office, customer):
    record = office["shop"][customer]
    orders_card = f"{record.get_absolute_url()}panels/orders/"
    response = page(client, office["rep"], orders_card)
    body = response.content.decode()
    assert str(office["order"]) in body and "Lifetime value" not in body
    shows_none_of(response, office["figures"])
    panels = [context for context in response.context if "lifetime" in context]
    assert panels  # the panel's own template and those it includes
    for panel in panels:
        assert panel["lifetime"] is None
        assert [order.total for order in panel["orders"]] == [None]

    manager = page(client, office["manager"], orders_card).content.decode()
    assert "Lifetime value" in manager and "10,284.19 RON" in manager


def test_the_new_order_form_offers_products_without_prices(client, office):
    url = f"/orders/new/?customer=contact:{office['shop']['contact'].pk}"
    response = page(client, office["rep"], url)
    body = response.content.decode()
    assert "Boiler · BO-1" in body
    shows_none_of(response, office["figures"])
    assert "450.00" not in body and "1200.50" not in body  # nor the shop's other prices

    manager = page(client, office["manager"], url).content.decode()
    assert "Boiler · BO-1 · 4321.09 RON" in manager


def test_an_overpayment_refusal_does_not_say_what_is_due(client, office):
    rep_order = services.create_order_for_customer(
        actor=office["rep"],
        customer=office["shop"]["contact"],
        lines=[{"product": office["shop"]["chair"], "quantity": 1}],
    )
    invoice = invoicing.issue_invoice(actor=office["rep"], order=rep_order)
    client.force_login(office["rep"])
    response = client.post(
        f"/invoices/{invoice.pk}/payments/",
        {"amount": "99999", "received_on": "2026-01-05"},
        follow=True,
    )
    body = response.content.decode()
    assert "more than is due" in body
    assert "535.50" not in body and "535" not in body


def test_the_invoice_sums_are_worked_out_only_as_the_role_may_see_them(client, office):
    """What was paid and what is due join the invoice through the presenter: for a
    representative they are None on the invoice itself, not only on its presented view."""
    response = page(client, office["rep"], office["order"].get_absolute_url())
    (invoice,) = response.context["invoices"]
    record = presenting.underlying(invoice)
    assert (record.paid, record.due, record.settled) == (None, None, False)
    assert raw_in_context(response, [PAID, record.total - PAID]) == []

    manager = page(client, office["manager"], office["order"].get_absolute_url())
    (invoice,) = manager.context["invoices"]
    assert (invoice.paid, invoice.due) == (PAID, invoice.total - PAID)
