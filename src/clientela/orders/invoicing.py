"""Invoices, credit notes and payments. Numbers come from a counter row raised in the
transaction that issues the invoice: a rolled-back invoice gives its number back, two
concurrent ones wait for each other, so a series has no gaps and no repeats."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, phrases, presenting
from clientela.customers.models import AddressKind
from clientela.orders import selectors, services

if TYPE_CHECKING:
    from clientela.customers.models import Address, Company, Contact
    from clientela.users.models import User
from clientela.orders.models import (
    ZERO,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeries,
    Order,
    Payment,
    StockLevel,
)

SERIES = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}


def next_number(prefix: str) -> tuple[InvoiceSeries, int]:
    """Take the next number of a series; call inside the issuing transaction."""
    series, _created = InvoiceSeries.objects.get_or_create(prefix=prefix)
    InvoiceSeries.objects.filter(pk=series.pk).update(last_number=F("last_number") + 1)
    number = InvoiceSeries.objects.values_list("last_number", flat=True).get(pk=series.pk)
    return series, number


def _address(*customers: Company | Contact | None) -> Address | None:
    """The first customer's billing address, else any of its addresses, else the next's."""
    for customer in customers:
        if customer is None:
            continue
        addresses = list(customer.addresses.all())
        billing = [a for a in addresses if a.address_kind == AddressKind.BILLING]
        if billing or addresses:
            return (billing or addresses)[0]
    return None


def buyer_details(order: Order) -> dict:
    company, contact = order.company, order.contact
    if company is not None:
        buyer: Company | Contact = company
        name = company.legal_name or company.name
    else:
        assert contact is not None  # an order is for a company or a contact
        buyer, name = contact, contact.full_name
    address = _address(company, contact)
    return {
        "name": name,
        "tax_id": company.tax_id if company else "",
        "contact": contact.full_name if contact and company else "",
        "email": (contact or buyer).email,
        "address": str(address) if address else "",
    }


def open_invoice(order: Order) -> Invoice | None:
    """The order's invoice that no credit note has cancelled."""
    return (
        order.invoices.filter(kind=InvoiceKind.INVOICE, corrections__isnull=True)
        .order_by("-id")
        .first()
    )


def _check_in_stock(order: Order) -> None:
    """R14: no invoice for a product that is out of stock (sold on backorder, not yet in)."""
    product_ids = [line.product_id for line in order.lines.all() if line.to_ship]
    short = StockLevel.objects.filter(
        warehouse=order.warehouse, product_id__in=product_ids, on_hand__lt=F("reserved")
    ).select_related("product")
    names = ", ".join(level.product.name for level in short)
    if names:
        raise ValidationError(
            _("Out of stock: %(products)s. Invoice when the goods are in.") % {"products": names}
        )


def _issue(actor, order, kind, lines, *, corrects=None, reason="") -> Invoice:
    series, sequence = next_number(SERIES[kind])
    seller = selectors.seller()
    issued_at = timezone.now()
    due_on = (
        timezone.localdate(issued_at) + datetime.timedelta(days=seller.payment_days)
        if kind == InvoiceKind.INVOICE
        else None
    )
    net = sum((line["net"] for line in lines), ZERO)
    tax = sum((line["tax"] for line in lines), ZERO)
    invoice = Invoice.objects.create(
        kind=kind,
        series=series,
        sequence=sequence,
        number=f"{series.prefix}-{sequence:06d}",
        order=order,
        corrects=corrects,
        issued_at=issued_at,
        due_on=due_on,
        issued_by=actor if getattr(actor, "pk", None) else None,
        currency=order.currency,
        seller=seller.printed(),
        buyer=buyer_details(order),
        net_total=net,
        tax_total=tax,
        total=net + tax,
        reason=reason,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, **line) for line in lines)
    audit.log(actor=actor, action="create", record=invoice, after=audit.snapshot(invoice))
    return invoice


@transaction.atomic
def issue_invoice(*, actor: User | None, order: Order) -> Invoice:
    services.may_edit(actor=actor, order=order)
    if order.is_quote or order.stage.key in {services.CANCELLED, services.RETURNED}:
        raise ValidationError(_("Only a placed order can be invoiced."))
    if open_invoice(order) is not None:
        raise ValidationError(_("This order is invoiced already; a credit note cancels it."))
    _check_in_stock(order)
    lines = [
        {
            "description": line.description,
            "unit": line.product.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
            "net": line.net,
            "tax": line.tax,
        }
        for line in order.lines.select_related("product")
    ]
    invoice = _issue(actor, order, InvoiceKind.INVOICE, lines)
    services.timeline_event(
        actor=actor, order=order, subject=phrases.gettext("Invoice %(n)s issued", n=invoice.number)
    )
    return invoice


@transaction.atomic
def issue_credit_note(*, actor: User | None, invoice: Invoice, reason: str) -> Invoice:
    """Cancel an invoice in full with a credit note of its own number series."""
    services.may_edit(actor=actor, order=invoice.order)
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise ValidationError({"reason": _("Say why the invoice is cancelled.")})
    if invoice.kind != InvoiceKind.INVOICE or invoice.corrections.exists():
        raise ValidationError(_("This invoice is cancelled already."))
    if invoice.payments.exists():
        raise ValidationError(_("This invoice has payments: refund them before cancelling it."))
    lines = [
        {
            "description": line.description,
            "unit": line.unit,
            "quantity": -line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
            "net": -line.net,
            "tax": -line.tax,
        }
        for line in invoice.lines.all()
    ]
    note = _issue(
        actor, invoice.order, InvoiceKind.CREDIT_NOTE, lines, corrects=invoice, reason=reason
    )
    services.timeline_event(
        actor=actor,
        order=invoice.order,
        subject=phrases.gettext(
            "Credit note %(n)s cancels %(invoice)s", n=note.number, invoice=invoice
        ),
        body=reason,
    )
    return note


def paid_amount(invoice: Invoice) -> Decimal:
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def record_payment(
    *,
    actor: User | None,
    invoice: Invoice,
    amount: Decimal | str,
    received_on: datetime.date | None = None,
    method: str = "",
    reference: str = "",
) -> Payment:
    """A payment against an invoice; paid in full, the order moves to paid."""
    services.may_edit(actor=actor, order=invoice.order)
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"amount": _("“%(v)s” is not an amount.") % {"v": amount}}) from None
    if invoice.kind != InvoiceKind.INVOICE or invoice.corrections.exists():
        raise ValidationError(_("This invoice is cancelled: it takes no payments."))
    # Lock the invoice's order row so two payments can't both pass the balance check.
    Order.objects.filter(pk=invoice.order_id).update(version=F("version"))
    due = invoice.total - paid_amount(invoice)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be above zero.")})
    if amount > due:
        if presenting.hides(actor, "invoice", "due"):  # the refusal must not say it either
            raise ValidationError({"amount": _("The amount is more than is due on this invoice.")})
        raise ValidationError(
            {"amount": _("Only %(due)s %(cur)s is due.") % {"due": due, "cur": invoice.currency}}
        )
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        received_on=received_on or timezone.localdate(),
        method=method[:40],
        reference=reference[:100],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.log(actor=actor, action="create", record=payment, after=audit.snapshot(payment))
    services.timeline_event(
        actor=actor,
        order=invoice.order,
        subject=phrases.gettext("Payment recorded on %(n)s", n=invoice),
    )
    if amount == due:
        services.advance_if_allowed(actor=actor, order=invoice.order, to=services.PAID)
    return payment
