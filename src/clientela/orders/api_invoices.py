"""Invoices in the API: issued for an order, never changed, paid, downloaded as a PDF
(orders.api imports this module, so the API finds it)."""

import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Schema

from clientela.api.registry import Action, Resource, exact_filters, register
from clientela.api.requests import api_field_names
from clientela.api.types import Date, Id, bounded_decimal, text
from clientela.core import presenting
from clientela.core.money import amount_text
from clientela.orders import invoicing, selectors
from clientela.orders.api import AMOUNT, order_for
from clientela.orders.models import Invoice
from clientela.orders.pdf import invoice_pdf_for


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
    amount: bounded_decimal(gt=Decimal(0), le=Decimal("999999999999.99"))
    received_on: Date | None = None
    method: text(40) = ""
    reference: text(100) = ""


class InvoiceFilters(Schema):
    order: Id | None = None
    kind: text(12) | None = Field(None, description="`invoice` or `credit_note`.")


def invoice_out(invoice: Invoice, user) -> dict:
    shown = presenting.present(user, invoice)
    paid = sum((payment.amount for payment in invoice.payments.all()), Decimal(0))
    lines = [
        {
            **{name: getattr(line, name) for name in ("description", "unit", "quantity")},
            "tax_rate": f"{line.tax_rate:.2f}",
            "unit_price": amount_text(line.unit_price),
            "net": amount_text(line.net),
            "tax": amount_text(line.tax),
        }
        for line in shown.lines.all()
    ]
    fields = ("id", "number", "kind", "order_id", "corrects_id", "issued_at", "currency", "reason")
    return {
        **{name: getattr(shown, name) for name in fields},
        "cancelled": bool(invoice.corrections.all()),
        "net_total": amount_text(shown.net_total),
        "tax_total": amount_text(shown.tax_total),
        "total": amount_text(shown.total),
        "paid": amount_text(presenting.shown(user, "invoice", "paid", paid)),
        "lines": lines,
        "payments": [
            {
                "id": payment.pk,
                "amount": amount_text(payment.amount),
                "received_on": payment.received_on,
                "method": payment.method,
                "reference": payment.reference,
            }
            for payment in shown.payments.all()
        ],
    }


def issue_invoice(user, data: dict) -> Invoice:
    with api_field_names({}, default="order_id"):
        return invoicing.issue_invoice(actor=user, order=order_for(user, data["order_id"]))


def record_payment(user, invoice: Invoice, data: dict, _expected) -> Invoice:
    with api_field_names({}):
        invoicing.record_payment(
            actor=user,
            invoice=invoice,
            amount=data["amount"],
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
