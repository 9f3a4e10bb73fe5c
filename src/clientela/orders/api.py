"""Products, orders, invoices and shipments in the API, through the orders services: the
price lock and the stock guard (R14), stage moves, invoices that never change, shipments.

An order moves by a PATCH of `stage` (a stage key: `paid`, `cancelled`, …), like a deal's
`stage_id`; a line is added with `POST /orders/{id}/lines`. An invoice is issued with
`POST /invoices/` for an order, paid with `POST /invoices/{id}/payments`, downloaded from
`GET /invoices/{id}/pdf`. Amounts are null for roles that may not see them."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.api.registry import Action, Resource, exact_filters, register
from clientela.api.requests import api_field_names
from clientela.api.types import Id, text
from clientela.core.concurrency import StaleRecordError
from clientela.customers import selectors as customer_selectors
from clientela.orders import catalogue, invoicing, selectors, services, shipping
from clientela.orders.models import (
    Carrier,
    Invoice,
    Order,
    OrderStage,
    Product,
    Shipment,
    ShipmentStatus,
)
from clientela.orders.pdf import invoice_pdf_for

Day = Field(None, ge=datetime.date(1900, 1, 1), le=datetime.date(9000, 1, 1))
MAX_QUANTITY = 1_000_000
AMOUNT = "A decimal as text; null for roles that may not see amounts."


def _amount(value, shown: bool) -> str | None:
    return f"{Decimal(value):.2f}" if shown else None


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
    name: text(200) | None = None
    unit: text(20) | None = None
    tax_rate: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    active: bool | None = None
    allows_backorder: bool | None = None


class ProductIn(ProductFields):
    sku: text(40)
    name: text(200)


class ProductUpdate(ProductFields):
    sku: text(40) | None = None


class ProductFilters(Schema):
    q: text(200) | None = Field(None, description="In the name or SKU.")
    sku: text(40) | None = None
    active: bool | None = None


def product_out(product: Product, user) -> dict:
    shown = selectors.shows_amounts(user)
    return {
        **{name: getattr(product, name) for name in ("id", "sku", "name", "unit", "active")},
        "allows_backorder": product.allows_backorder,
        "tax_rate": f"{product.tax_rate:.2f}",
        "prices": [
            {
                "price_list_id": price.price_list_id,
                "price_list": price.price_list.name,
                "currency": price.price_list.currency,
                "unit_price": _amount(price.unit_price, True),
            }
            for price in product.prices.all()
        ]
        if shown
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
        create=lambda user, data: catalogue.save_product(user, None, data),
        update_in=ProductUpdate,
        update=lambda user, product, data, _version: catalogue.save_product(user, product, data),
        description="The catalogue. Creating and changing products takes the permission "
        "Django's admin asks for (staff, with the add or change product permission).",
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
    unit_price: Decimal | None = Field(
        None,
        ge=0,
        le=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
        description="The unit price the client was shown: refused (422) if it is no longer "
        "the valid one. Ignored for roles that may not see amounts.",
    )


class OrderIn(Schema):
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


def _line_out(line, shown: bool) -> dict:
    return {
        **{
            name: getattr(line, name)
            for name in ("id", "product_id", "description", "quantity", "priced_at")
        },
        "reserved": line.reserved,
        "shipped": line.shipped,
        "tax_rate": f"{line.tax_rate:.2f}",
        "unit_price": _amount(line.unit_price, shown),
        "net": _amount(line.net, shown),
        "tax": _amount(line.tax, shown),
    }


def order_out(order: Order, user) -> dict:
    shown = selectors.shows_amounts(user)
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
        **{name: getattr(order, name) for name in fields},
        "stage": order.stage.key,
        "stage_name": order.stage.name,
        "next_stages": [stage.key for stage in order.stage.next_stages.all()],
        "net_total": _amount(order.net_total, shown),
        "tax_total": _amount(order.tax_total, shown),
        "total": _amount(order.total, shown),
        "lines": [_line_out(line, shown) for line in order.lines.all()],
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
    return line.get("unit_price") if selectors.shows_amounts(user) else None


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


# Invoices -------------------------------------------------------------------------------
class InvoiceLineOut(Schema):
    description: str
    unit: str
    quantity: int
    unit_price: str | None = Field(None, description=AMOUNT)
    tax_rate: str
    net: str | None = Field(None, description=AMOUNT)
    tax: str | None = Field(None, description=AMOUNT)


class PaymentOut(Schema):
    id: int
    amount: str | None = Field(None, description=AMOUNT)
    received_on: datetime.date
    method: str
    reference: str


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    order_id: int
    corrects_id: int | None
    cancelled: bool
    issued_at: datetime.datetime
    currency: str
    net_total: str | None = Field(None, description=AMOUNT)
    tax_total: str | None = Field(None, description=AMOUNT)
    total: str | None = Field(None, description=AMOUNT)
    paid: str | None = Field(None, description=AMOUNT)
    reason: str
    lines: list[InvoiceLineOut]
    payments: list[PaymentOut]


class InvoiceIn(Schema):
    order_id: Id


class PaymentIn(Schema):
    amount: Decimal = Field(
        ..., gt=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )
    received_on: datetime.date | None = Day
    method: text(40) = ""
    reference: text(100) = ""


class InvoiceFilters(Schema):
    order: Id | None = None
    kind: text(12) | None = Field(None, description="`invoice` or `credit_note`.")


def invoice_out(invoice: Invoice, user) -> dict:
    shown = selectors.shows_amounts(user)
    payments = list(invoice.payments.all())
    lines = [
        {
            **{name: getattr(line, name) for name in ("description", "unit", "quantity")},
            "tax_rate": f"{line.tax_rate:.2f}",
            "unit_price": _amount(line.unit_price, shown),
            "net": _amount(line.net, shown),
            "tax": _amount(line.tax, shown),
        }
        for line in invoice.lines.all()
    ]
    fields = ("id", "number", "kind", "order_id", "corrects_id", "issued_at", "currency", "reason")
    return {
        **{name: getattr(invoice, name) for name in fields},
        "cancelled": bool(invoice.corrections.all()),
        "net_total": _amount(invoice.net_total, shown),
        "tax_total": _amount(invoice.tax_total, shown),
        "total": _amount(invoice.total, shown),
        "paid": _amount(sum((p.amount for p in payments), Decimal(0)), shown),
        "lines": lines,
        "payments": [
            {
                "id": p.pk,
                "amount": _amount(p.amount, shown),
                "received_on": p.received_on,
                "method": p.method,
                "reference": p.reference,
            }
            for p in payments
        ],
    }


def _order_for(user, order_id: int) -> Order:
    order = selectors.orders_for(user).filter(pk=order_id).first()
    if order is None:
        raise ValidationError({"order_id": _("There is no such order.")})
    return order


def issue_invoice(user, data: dict) -> Invoice:
    with api_field_names({}, default="order_id"):
        return invoicing.issue_invoice(user, _order_for(user, data["order_id"]))


def record_payment(user, invoice: Invoice, data: dict, _expected) -> Invoice:
    with api_field_names({}):
        invoicing.record_payment(
            user,
            invoice,
            data["amount"],
            received_on=data.get("received_on"),
            method=data.get("method", ""),
            reference=data.get("reference", ""),
        )
    return invoice


def download_invoice(user, invoice: Invoice, _data, _expected) -> HttpResponse:
    response = HttpResponse(invoice_pdf_for(user, invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


register(
    Resource(
        name="invoices",
        label="invoice",
        model=Invoice,
        out=InvoiceOut,
        queryset=selectors.invoices_for,
        serialize=invoice_out,
        sorts={"issued": ["issued_at", "id"], "id": ["id"]},
        default_sort="-issued",
        filters=InvoiceFilters,
        apply_filters=exact_filters({"order": "order_id", "kind": "kind"}),
        create_in=InvoiceIn,
        create=issue_invoice,
        actions=[
            Action(
                "payments",
                "Record a payment on an invoice",
                record_payment,
                payload=PaymentIn,
                description="Paid in full, the order moves to paid.",
            ),
            Action(
                "pdf",
                "The invoice as a PDF",
                download_invoice,
                method="GET",
                media_type="application/pdf",
                description="403 for roles that may not see amounts.",
            ),
        ],
        description="Issued once, never changed: POST `order_id` to issue the invoice of "
        "an order; a credit note (on the order's page) cancels one.",
    )
)


# Shipments ------------------------------------------------------------------------------
class ShipmentLineOut(Schema):
    order_line_id: int
    quantity: int


class ShipmentEventOut(Schema):
    status: str
    at: datetime.datetime
    note: str


class ShipmentOut(Schema):
    id: int
    order_id: int
    carrier_id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    created_at: datetime.datetime
    lines: list[ShipmentLineOut]
    events: list[ShipmentEventOut]


class ShipmentLineIn(Schema):
    line_id: Id = Field(..., description="An order line's id.")
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)


class ShipmentIn(Schema):
    order_id: Id
    carrier_id: Id
    tracking_number: text(60) = ""
    lines: list[ShipmentLineIn] = Field(..., min_length=1, max_length=services.MAX_LINES)


class ShipmentEventIn(Schema):
    status: str = Field(..., pattern="^(" + "|".join(ShipmentStatus.values) + ")$")
    note: text(200) = ""


class ShipmentFilters(Schema):
    order: Id | None = None
    status: str | None = Field(None, pattern="^(" + "|".join(ShipmentStatus.values) + ")$")


def shipment_out(shipment: Shipment, user) -> dict:
    fields = ("id", "order_id", "carrier_id", "tracking_number", "tracking_url", "status")
    return {
        **{name: getattr(shipment, name) for name in fields},
        "carrier": shipment.carrier.name,
        "created_at": shipment.created_at,
        "lines": [
            {"order_line_id": line.order_line_id, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
        "events": [
            {"status": event.status, "at": event.at, "note": event.note}
            for event in shipment.events.all()
        ],
    }


def create_shipment(user, data: dict) -> Shipment:
    with api_field_names({}):
        order = _order_for(user, data["order_id"])
        carrier = Carrier.objects.filter(pk=data["carrier_id"]).first()
        if carrier is None:
            raise ValidationError({"carrier_id": _("There is no such carrier.")})
        quantities: dict[int, int] = {}
        for line in data["lines"]:
            quantities[line["line_id"]] = quantities.get(line["line_id"], 0) + line["quantity"]
        return shipping.create_shipment(
            user, order, carrier, quantities, tracking_number=data.get("tracking_number", "")
        )


def add_shipment_event(user, shipment: Shipment, data: dict, _expected) -> Shipment:
    with api_field_names({}, default="status"):
        return shipping.update_shipment(user, shipment, data["status"], note=data.get("note", ""))


register(
    Resource(
        name="shipments",
        label="shipment",
        model=Shipment,
        out=ShipmentOut,
        queryset=selectors.shipments_for,
        serialize=shipment_out,
        sorts={"created": ["created_at", "id"], "id": ["id"]},
        default_sort="-created",
        filters=ShipmentFilters,
        apply_filters=exact_filters({"order": "order_id", "status": "status"}),
        create_in=ShipmentIn,
        create=create_shipment,
        actions=[
            Action(
                "events",
                "Add a status to a shipment's tracking history",
                add_shipment_event,
                payload=ShipmentEventIn,
                description="`in_transit`, `delivered` or `exception`; when every parcel "
                "of a fully shipped order is delivered, the order is delivered.",
            )
        ],
        description="Parcels of an order's lines: the stock leaves the warehouse when one "
        "is created; when nothing is left to ship, the order moves to shipped.",
    )
)
