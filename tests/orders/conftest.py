"""A small shop for order tests: products, a default price list, stock, a carrier, customers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from clientela.activities import services as activities
from clientela.customers import services as customers
from clientela.orders import services as orders
from clientela.orders import shipping, stock
from clientela.orders.models import Carrier, Price, PriceList, Product, Warehouse


def build_shop(owner):
    warehouse = Warehouse.objects.create(name="Cluj", is_default=True)
    price_list = PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    chair = Product.objects.create(sku="CH-1", name="Office chair", tax_rate=Decimal("19"))
    desk = Product.objects.create(sku="DS-1", name="Standing desk", tax_rate=Decimal("9"))
    lamp = Product.objects.create(sku="LM-1", name="Desk lamp", allows_backorder=True)
    Price.objects.create(price_list=price_list, product=chair, unit_price=Decimal("450.00"))
    Price.objects.create(price_list=price_list, product=desk, unit_price=Decimal("1200.50"))
    Price.objects.create(price_list=price_list, product=lamp, unit_price=Decimal("99.90"))
    stock.receive(actor=None, product=chair, warehouse=warehouse, quantity=10)
    stock.receive(actor=None, product=desk, warehouse=warehouse, quantity=1)
    company = customers.create_company(
        actor=owner, data={"name": "Fabrica de Mobilă SRL", "tax_id": "RO998877"}
    )
    contact = customers.create_contact(
        actor=owner,
        data={"full_name": "Ioana Marin", "company": company, "emails": ["ioana@fm.ro"]},
    )
    return {
        "warehouse": warehouse,
        "price_list": price_list,
        "chair": chair,
        "desk": desk,
        "lamp": lamp,
        "company": company,
        "contact": contact,
        "carrier": Carrier.objects.create(
            name="FAN Courier", tracking_url_template="https://fan.example/awb/{tracking}"
        ),
    }


def shipped_order_with_file(owner, shop, *, tracking="AWB", file_name="a.pdf"):
    """One chair ordered by the shop's contact, sent in one parcel with `tracking` (before
    payment) and a file attached: what a customer's shipments and order files cards show."""
    order = orders.create_order_for_customer(
        actor=owner, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    with override_settings(ORDERS_SHIP_BEFORE_PAYMENT=True):
        shipping.create_shipment(
            actor=owner,
            order=order,
            carrier=shop["carrier"],
            quantities={order.lines.get().pk: 1},
            tracking_number=tracking,
        )
    activities.attach_file(
        actor=owner, record=order, upload=SimpleUploadedFile(file_name, b"%PDF-1")
    )
    return order


@pytest.fixture
def shop(user):
    return build_shop(user)


@pytest.fixture
def user(make_user):
    """A manager: sees amounts (the default role, a sales representative, does not)."""
    from clientela.users.services import role_named

    return make_user(full_name="Ana Popescu", role=role_named("manager"))


# Amounts a role without "see_sensitive" must never be given -----------------------------
def written(amount) -> set[str]:
    """The ways a page could write an amount's whole part: 12345, 12,345 and 12.345."""
    whole = int(amount)
    grouped = f"{whole:,}"
    return {str(whole), grouped, grouped.replace(",", ".")}


def raw_in_context(response, amounts) -> list:
    """What the templates of a response were given that a role without "see_sensitive"
    must not be: a record that carries amounts as it is, not presented (core.presenting),
    or one of `amounts` itself, anywhere in the context, its lists, dicts, dataclasses,
    forms' initial values, and what a view or selector attached to a record besides its
    fields (a task's `record`, an invoice's `paid`), presented or not."""
    import dataclasses

    from django import forms
    from django.db import models

    from clientela.core.presenting import Presented, underlying
    from clientela.deals.models import Deal, DealLine
    from clientela.orders.models import Invoice, InvoiceLine, Order, OrderLine, Payment

    carrying = (Deal, DealLine, Order, OrderLine, Invoice, InvoiceLine, Payment, Price)
    amounts = {Decimal(amount) for amount in amounts}
    found = []

    def walk(value, depth):
        if depth > 5 or value is None or isinstance(value, str | bytes):
            return
        if isinstance(value, carrying):
            found.append(value)
        elif isinstance(value, Decimal):
            if value in amounts:
                found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, list | tuple | set):
            for item in value:
                walk(item, depth + 1)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                walk(getattr(value, item.name), depth + 1)
        elif isinstance(value, forms.BaseForm):
            walk(dict(value.initial), depth + 1)
        if isinstance(value, Presented | models.Model):
            for item in attached(underlying(value)):
                walk(item, depth + 1)

    def attached(record):
        fields = {field.attname for field in record._meta.concrete_fields}
        return [
            item
            for name, item in vars(record).items()
            if not name.startswith("_") and name not in fields
        ]

    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        walk(context.flatten(), 0)
    return found


def page(client, user, url):
    """A page as `user` sees it, which must answer 200."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def shows_none_of(response, figures) -> None:
    """No figure written any way in the page, nor a raw record carrying one in its context."""
    body = response.content.decode()
    for figure in figures:
        for text in written(figure):
            assert text not in body, f"{response.request['PATH_INFO']} shows {text}"
    assert raw_in_context(response, figures) == []
