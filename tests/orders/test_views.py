"""The order pages as a user meets them: place, refuse an old price, pay, ship, deliver."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from clientela.customers import services as customers
from clientela.orders import invoicing, services
from clientela.orders.models import Order, Price
from clientela.users.services import create_user, role_named
from tests.record_pages import shown

pytestmark = pytest.mark.django_db


def new_order(client, shop, price="450.00", quantity=2, **extra):
    return client.post(
        "/orders/new/",
        {
            "customer": f"contact:{shop['contact'].pk}",
            "product_0": f"{shop['chair'].pk}@{price}",
            "quantity_0": quantity,
            **extra,
        },
    )


def test_an_order_is_placed_from_the_customer_page_and_paid_shipped_delivered(user_client, shop):
    page = shown(user_client, shop["contact"].get_absolute_url())
    assert f"/orders/new/?customer=contact:{shop['contact'].pk}" in page
    form = user_client.get(f"/orders/new/?customer=contact:{shop['contact'].pk}").content.decode()
    assert "Office chair · CH-1 · 450.00 RON" in form
    response = new_order(user_client, shop)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    detail = user_client.get(response["Location"]).content.decode()
    assert "1,071.00 RON" in detail  # 900 + 19 % tax
    user_client.post(f"/orders/{order.pk}/invoice/")
    invoice = order.invoices.get()
    user_client.post(
        f"/invoices/{invoice.pk}/payments/",
        {"amount": "1071.00", "received_on": "2026-01-05", "method": "Bank transfer"},
    )
    order.refresh_from_db()
    assert order.stage.key == "paid"
    line = order.lines.get()
    user_client.post(
        f"/orders/{order.pk}/shipments/",
        {"carrier": shop["carrier"].pk, "tracking_number": "AWB777", f"ship_{line.pk}": 2},
    )
    detail = user_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'href="https://fan.example/awb/AWB777"' in detail
    shipment = order.shipments.get()
    user_client.post(f"/shipments/{shipment.pk}/status/", {"status": "delivered"})
    order.refresh_from_db()
    assert order.stage.key == "delivered"
    customer_page = shown(user_client, shop["contact"].get_absolute_url())
    assert "AWB777" in customer_page  # the customer's shipments card
    assert f"Order #{order.pk}: Delivered" in customer_page  # on the timeline
    assert "Lifetime value" in customer_page and "1,071.00 RON" in customer_page
    pdf = user_client.get(f"/invoices/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "1,071.00 RON" in text


def test_a_price_changed_while_the_form_was_open_is_refused_and_explained(user_client, shop):
    form = user_client.get(f"/orders/new/?customer=contact:{shop['contact'].pk}")
    assert form.status_code == 200
    Price.objects.filter(product=shop["chair"]).update(unit_price=Decimal("480.00"))
    response = new_order(user_client, shop, price="450.00")
    assert response.status_code == 400
    assert "now 480.00, not 450.00" in response.content.decode()
    assert not Order.objects.exists()


def test_too_many_for_the_stock_is_refused_and_the_form_keeps_the_input(user_client, shop):
    response = new_order(user_client, shop, quantity=11)
    body = response.content.decode()
    assert response.status_code == 400 and "Only 10 of Office chair available" in body
    assert 'value="11"' in body


def test_a_refused_transition_is_said_on_the_order_page(user_client, shop):
    new_order(user_client, shop)
    order = Order.objects.get()
    response = user_client.post(
        f"/orders/{order.pk}/stage/", {"to": "delivered", "version": order.version}, follow=True
    )
    body = response.content.decode()
    assert "go from “Placed” to “Delivered”" in body
    order.refresh_from_db()
    assert order.stage.key == "placed"


def test_amounts_are_hidden_from_roles_without_sensitive_access(client, user, shop):
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    mine = customers.create_contact(actor=rep, data={"full_name": "Radu Client"})
    order = services.create_order_for_customer(
        actor=rep, customer=mine, lines=[{"product": shop["chair"], "quantity": 1}]
    )
    client.force_login(rep)
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert "535.50" not in detail and "•••" in detail
    form = client.get(f"/orders/new/?customer=contact:{mine.pk}").content.decode()
    assert "Office chair · CH-1" in form and "450.00" not in form
    assert "535.50" not in client.get("/orders/").content.decode()
    assert "535.50" not in client.get(mine.get_absolute_url()).content.decode()
    assert (
        client.get(
            f"/invoices/{invoicing.issue_invoice(actor=rep, order=order).pk}/pdf/"
        ).status_code
        == 403
    )


def test_bad_payment_and_shipment_input_is_explained_not_crashed(user_client, shop):
    new_order(user_client, shop)
    order = Order.objects.get()
    user_client.post(f"/orders/{order.pk}/invoice/")
    invoice = order.invoices.get()
    response = user_client.post(
        f"/invoices/{invoice.pk}/payments/",
        {"amount": "abc", "received_on": "2026-01-05"},
        follow=True,
    )
    assert "Amount: Enter a number." in response.content.decode()
    response = user_client.post(
        f"/invoices/{invoice.pk}/payments/",
        {"amount": "5000", "received_on": "2026-01-05"},
        follow=True,
    )
    assert "Only 1071.00 RON is due." in response.content.decode()
    line = order.lines.get()
    response = user_client.post(
        f"/orders/{order.pk}/shipments/",
        {"carrier": shop["carrier"].pk, f"ship_{line.pk}": 1},
        follow=True,
    )
    assert "not paid yet" in response.content.decode()
    assert not invoice.payments.exists() and not order.shipments.exists()


def form_page(client, shop, data):
    """The new-order form posted with `data` (rows, products, quantities, an action)."""
    return client.post(
        "/orders/new/", {"customer": f"contact:{shop['contact'].pk}", **data}
    ).content.decode()


def test_rows_are_added_and_removed_as_needed_without_javascript(user_client, shop):
    chair, desk, lamp = (
        f"{shop[k].pk}@{p}"
        for k, p in (("chair", "450.00"), ("desk", "1200.50"), ("lamp", "99.90"))
    )
    first = user_client.get(f"/orders/new/?customer=contact:{shop['contact'].pk}").content.decode()
    assert 'name="product_0"' in first and 'name="product_1"' not in first
    assert "Add a row" in first
    added = form_page(
        user_client, shop, {"rows": 1, "product_0": chair, "quantity_0": 2, "action": "add"}
    )
    assert 'name="product_1"' in added and 'name="product_2"' not in added
    assert f'<option value="{chair}" selected>' in added  # the first row as it was
    assert "1,071.00 RON" in added  # 2 x 450.00 + 19 % tax: the running total
    assert not Order.objects.exists()
    three = form_page(
        user_client,
        shop,
        {
            "rows": 3,
            "product_0": chair,
            "quantity_0": 2,
            "product_1": lamp,
            "quantity_1": 1,
            "product_2": desk,
            "quantity_2": 1,
            "action": "remove-1",
        },
    )
    assert 'name="product_2"' not in three
    assert f'<option value="{desk}" selected>' in three and f'value="{lamp}" selected' not in three
    # 900.00 + 1,200.50 net; 171.00 + 108.05 tax
    assert "2,100.50 RON" in three and "2,379.55 RON" in three
    assert not Order.objects.exists()
    placed = user_client.post(
        "/orders/new/",
        {
            "customer": f"contact:{shop['contact'].pk}",
            "rows": 2,
            "product_0": chair,
            "quantity_0": 2,
            "product_1": desk,
            "quantity_1": 1,
        },
    )
    order = Order.objects.get()
    assert placed["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal("2379.55") and order.lines.count() == 2


def test_a_changed_row_gives_back_only_the_totals_with_htmx(user_client, shop):
    response = user_client.post(
        "/orders/new/",
        {
            "customer": f"contact:{shop['contact'].pk}",
            "rows": 2,
            "product_0": f"{shop['chair'].pk}@450.00",
            "quantity_0": 3,
            "product_1": "",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<form" not in body
    assert 'id="order-total" hx-swap-oob="true">1,606.50 RON' in body  # 1,350 + 19 %
    assert 'id="order-net-1" hx-swap-oob="true"' in body
    assert not Order.objects.exists()


def test_an_unpaid_order_offers_no_shipment_and_says_why(user_client, shop):
    new_order(user_client, shop)
    order = Order.objects.get()
    page = user_client.get(f"/orders/{order.pk}/").content.decode()
    assert "Create shipment" not in page
    assert "This order is not paid yet: it ships once its invoice is paid." in page
    user_client.post(f"/orders/{order.pk}/invoice/")
    user_client.post(
        f"/invoices/{order.invoices.get().pk}/payments/",
        {"amount": "1071.00", "received_on": "2026-01-05"},
    )
    page = user_client.get(f"/orders/{order.pk}/").content.decode()
    assert "Create shipment" in page and "not paid yet" not in page
