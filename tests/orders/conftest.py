"""A small shop for order tests: products, a default price list, stock, a carrier, customers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.customers import services as customers
from clientela.orders import stock
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
    stock.receive(chair, warehouse, 10)
    stock.receive(desk, warehouse, 1)
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


@pytest.fixture
def shop(user):
    return build_shop(user)


@pytest.fixture
def user(make_user):
    """A manager: sees amounts (the default role, a sales representative, does not)."""
    from clientela.users.services import role_named

    return make_user(full_name="Ana Popescu", role=role_named("manager"))
