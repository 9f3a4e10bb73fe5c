"""Products, orders, invoices and shipments in the API, through the orders services: the
price lock and the stock guard (R14), stage moves, invoices that never change, shipments.
Invoices and shipments have modules of their own, imported at the end of this one: the API
finds each app's `api` module only.

An order moves by a PATCH of `stage` (a stage key: `paid`, `cancelled`, …), like a deal's
`stage_id`; a line is added with `POST /orders/{id}/lines`. An invoice is issued with
`POST /invoices/` for an order, paid with `POST /invoices/{id}/payments`, downloaded from
`GET /invoices/{id}/pdf`. Amounts are null for roles that may not see them: records are
presented to the user (core.presenting) before they are written out."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict

from clientela.api.registry import Action, Resource, exact_filters, register
from clientela.api.requests import api_field_names
from clientela.api.types import Id, bounded_decimal, name_text, text
from clientela.core import presenting
from clientela.core.concurrency import StaleRecordError
from clientela.core.money import amount_text
from clientela.customers import selectors as customer_selectors
from clientela.orders import catalogue, selectors, services
from clientela.orders.models import Order, OrderStage, Product

MAX_QUANTITY = 1_000_000
AMOUNT = "A decimal as text; null for roles that may not see amounts."


def order_for(user, order_id: int) -> Order:
    """The order a payload names, if the user may see it; 422 otherwise."""
    order = selectors.orders_for(user).filter(pk=order_id).first()
    if order is None:
        raise ValidationError({"order_id": _("There is no such order.")})
    return order


# Products -------------------------------------------------------------------------------
class PriceOut(Schema):
    price_list_id: int
    price_list: str
    currency: str
    unit_price: str


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    unit: str
    tax_rate: str
    active: bool
    allows_backorder: bool
    prices: list[PriceOut] | None = Field(
        None, description="Its price on each price list; null for roles that may not see amounts."
    )


class ProductFields(Schema):
    name: name_text(200) | None = None
    unit: name_text(20) | None = None
    tax_rate: (
        bounded_decimal(
            ge=Decimal(0),
            le=Decimal(100),
            max_digits=5,
            written=r"100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?",
        )
        | None
    ) = None
    active: bool | None = None
    allows_backorder: bool | None = None


class ProductIn(ProductFields):
    sku: name_text(40)
    name: name_text(200)


class ProductUpdate(ProductFields):
    sku: name_text(40) | None = None


class ProductFilters(Schema):
    q: text(200) | None = Field(None, description="In the name or SKU.")
    sku: text(40) | None = None
    active: bool | None = None


def product_out(product: Product, user) -> dict:
    return {
        **{name: getattr(product, name) for name in ("id", "sku", "name", "unit", "active")},
        "allows_backorder": product.allows_backorder,
        "tax_rate": f"{product.tax_rate:.2f}",
        "prices": [
            {
                "price_list_id": price.price_list_id,
                "price_list": price.price_list.name,
                "currency": price.price_list.currency,
                "unit_price": amount_text(price.unit_price),
            }
            for price in product.prices.all()
        ]
        if not presenting.hides(user, "price", "unit_price")
        else None,
    }


def filter_products(user, queryset, params: dict, raw):
    queryset = exact_filters({"sku": "sku", "active": "active"})(user, queryset, params, raw)
    if params.get("q"):
        queryset = queryset.filter(Q(name__icontains=params["q"]) | Q(sku__icontains=params["q"]))
    return queryset


register(
    Resource(
        name="products",
        label="product",
        model=Product,
        out=ProductOut,
        queryset=lambda user: selectors.products(),
        serialize=product_out,
        sorts={"name": ["name", "id"], "sku": ["sku", "id"], "id": ["id"]},
        default_sort="name",
        filters=ProductFilters,
        apply_filters=filter_products,
        create_in=ProductIn,
        create=lambda user, data: catalogue.save_product(actor=user, product=None, data=data),
        update_in=ProductUpdate,
        update=lambda user, product, data, _version: catalogue.save_product(
            actor=user, product=product, data=data
        ),
        description="The catalogue. Creating and changing products takes a role that "
        "manages the catalogue (the capability manage_catalogue), as Settings → Products.",
    )
)


# Orders ---------------------------------------------------------------------------------
class OrderLineOut(Schema):
    id: int
    product_id: int
    description: str
    quantity: int
    unit_price: str | None = Field(None, description=AMOUNT)
    tax_rate: str
    net: str | None = Field(None, description=AMOUNT)
    tax: str | None = Field(None, description=AMOUNT)
    priced_at: datetime.datetime
    reserved: int
    shipped: int


class OrderOut(Schema):
    id: int
    version: int
    number: str
    stage: str
    stage_name: str
    stage_changed_at: datetime.datetime
    next_stages: list[str]
    is_quote: bool
    contact_id: int | None
    company_id: int | None
    owner_id: int | None
    currency: str
    price_list_id: int | None
    warehouse_id: int
    placed_at: datetime.datetime | None
    paid_at: datetime.datetime | None
    net_total: str | None = Field(None, description=AMOUNT)
    tax_total: str | None = Field(None, description=AMOUNT)
    total: str | None = Field(None, description=AMOUNT)
    notes: str
    lines: list[OrderLineOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class LineIn(Schema):
    product_id: Id
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    unit_price: bounded_decimal(ge=Decimal(0), le=Decimal("999999999999.99")) | None = Field(
        None,
        description="The unit price the client was shown: refused (422) if it is no longer "
        "the valid one. Ignored for roles that may not see amounts.",
    )


class OrderIn(Schema):
    # Who the order is for: a contact or a company, or both.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [key], "properties": {key: {"type": "integer"}}}
                for key in ("contact_id", "company_id")
            ]
        }
    )

    contact_id: Id | None = Field(None, description="The customer: a contact, …")
    company_id: Id | None = Field(None, description="… or a company (the contact's, if both).")
    lines: list[LineIn] = Field(..., min_length=1, max_length=services.MAX_LINES)
    quote: bool = Field(False, description="A quote holds no stock until it is placed.")
    notes: text(5000) = ""


class OrderUpdate(Schema):
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    stage: text(40) | None = Field(
        None, description="Move to this stage (a key of `next_stages`: placed, paid, …)."
    )
    note: text(500) = Field("", description="Said on the timeline with the move.")


class OrderFilters(Schema):
    contact: Id | None = None
    company: Id | None = Field(None, description="The company's orders and its people's.")
    stage: text(40) | None = Field(None, description="A stage key: placed, paid, shipped, …")
    owner: str | None = Field(None, pattern=r"^(me|[0-9]{1,18})$", description="`me` or a user id.")


def _line_out(line) -> dict:
    return {
        **{
            name: getattr(line, name)
            for name in ("id", "product_id", "description", "quantity", "priced_at")
        },
        "reserved": line.reserved,
        "shipped": line.shipped,
        "tax_rate": f"{line.tax_rate:.2f}",
        "unit_price": amount_text(line.unit_price),
        "net": amount_text(line.net),
        "tax": amount_text(line.tax),
    }


def order_out(order: Order, user) -> dict:
    shown = presenting.present(user, order)
    fields = (
        "id",
        "version",
        "number",
        "stage_changed_at",
        "is_quote",
        "contact_id",
        "company_id",
        "owner_id",
        "currency",
        "price_list_id",
        "warehouse_id",
        "placed_at",
        "paid_at",
        "notes",
        "created_at",
        "updated_at",
    )
    return {
        **{name: getattr(shown, name) for name in fields},
        "stage": order.stage.key,
        "stage_name": order.stage.name,
        "next_stages": [stage.key for stage in order.stage.next_stages.all() if stage.active],
        "net_total": amount_text(shown.net_total),
        "tax_total": amount_text(shown.tax_total),
        "total": amount_text(shown.total),
        "lines": [_line_out(line) for line in shown.lines.all()],
    }


def _product(product_id: int, field: str) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError({field: _("There is no such product.")})
    return product


def _customer(user, data: dict):
    """The contact or company the order is for, if the user may see it; 422 otherwise."""
    contact = company = None
    if data.get("contact_id"):
        contact = customer_selectors.contacts_for(user).filter(pk=data["contact_id"]).first()
        if contact is None:
            raise ValidationError({"contact_id": _("There is no such contact.")})
    if data.get("company_id"):
        company = customer_selectors.companies_for(user).filter(pk=data["company_id"]).first()
        if company is None:
            raise ValidationError({"company_id": _("There is no such company.")})
    if contact and company and contact.company_id != company.pk:
        raise ValidationError({"company_id": _("The contact does not work at this company.")})
    if not (contact or company):
        raise ValidationError({"contact_id": _("Say who the order is for: a contact or company.")})
    return contact or company


def _seen_price(user, line: dict):
    # A role that may not see prices may not test them either: the refusal would say it.
    return None if presenting.hides(user, "orderline", "unit_price") else line.get("unit_price")


@contextmanager
def _line_errors():
    """A line the services refused (price, stock, product no longer sold) → its path."""
    try:
        with api_field_names({}):
            yield
    except ValidationError as error:
        index = getattr(error, "line_index", None)
        if index is None or hasattr(error, "error_dict"):
            raise
        raise ValidationError({f"lines.{index}": error.messages}) from None


def create_order(user, data: dict) -> Order:
    with _line_errors():
        customer = _customer(user, data)
        lines = [
            {
                "product": _product(line["product_id"], f"lines.{index}.product_id"),
                "quantity": line["quantity"],
                "unit_price": _seen_price(user, line),
            }
            for index, line in enumerate(data["lines"])
        ]
        return services.create_order_for_customer(
            actor=user,
            customer=customer,
            lines=lines,
            quote=data.get("quote", False),
            notes=data.get("notes", ""),
        )


def move_order(user, order: Order, data: dict, expected: int | None) -> Order:
    """A PATCH moves the order to `stage`; without one it only checks the version."""
    target = data.get("stage")
    with api_field_names({}, default="stage"):
        if not target or target == order.stage.key:
            # Nothing to move: the version sent is still checked.
            if expected is not None and expected != order.version:
                raise StaleRecordError(order, expected, order.version)
            return order
        return services.move_order(
            actor=user, order=order, to=target, expected_version=expected, note=data.get("note", "")
        )


def add_line(user, order: Order, data: dict, expected: int | None) -> Order:
    product = _product(data["product_id"], "product_id")
    with api_field_names({}):
        services.add_line(
            actor=user,
            order=order,
            product=product,
            quantity=data["quantity"],
            unit_price=_seen_price(user, data),
            expected_version=expected,
        )
    return order


def filter_orders(user, queryset, params: dict, raw):
    by_customer = exact_filters({"contact": "contact_id", "company": "company_id"})
    queryset = by_customer(user, queryset, params, raw)
    if params.get("stage"):
        stage = OrderStage.objects.filter(key=params["stage"]).first()
        if stage is None:
            raise ValidationError({"query.stage": _("Unknown stage.")})
        queryset = queryset.filter(stage=stage)
    owner = params.get("owner")
    if owner:
        queryset = queryset.filter(owner_id=user.pk if owner == "me" else int(owner))
    return queryset


register(
    Resource(
        name="orders",
        label="order",
        model=Order,
        out=OrderOut,
        queryset=lambda user: selectors.order_list(user).prefetch_related(
            "lines", "stage__next_stages"
        ),
        serialize=order_out,
        sorts={"created": ["created_at", "id"], "updated": ["updated_at", "id"], "id": ["id"]},
        default_sort="-created",
        filters=OrderFilters,
        apply_filters=filter_orders,
        updated_field="updated_at",
        create_in=OrderIn,
        create=create_order,
        update_in=OrderUpdate,
        update=move_order,
        actions=[
            Action(
                "lines",
                "Add a line to an order",
                add_line,
                payload=LineIn,
                versioned=True,
                description="At today's price on the order's price list; a `unit_price` "
                "that is no longer valid, or stock that is not there, is refused with 422. "
                "Only before the order is paid.",
            )
        ],
        versioned=True,
        description="Newest first. PATCH `stage` to move an order (`placed`, `paid`, "
        "`shipped`, `delivered`, `cancelled`, `returned` or a stage of your own): a move "
        "its stage does not lead to is refused with 422 and the reason.",
    )
)


# Registered after the orders, in this order, for the API's reference and token scopes.
from clientela.orders import api_invoices, api_shipments  # noqa: E402, F401
