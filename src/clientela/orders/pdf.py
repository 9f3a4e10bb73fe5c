"""An invoice as a PDF, drawn by WeasyPrint from an HTML template, in the buyer's language
(its contact's; else the language of the person printing it)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from clientela.core import presenting
from clientela.customers import languages
from clientela.orders.models import Invoice


def invoice_pdf_for(user, invoice: Invoice) -> bytes:
    """The PDF for a user who may see the invoice (the caller's selector) and its amounts."""
    if presenting.hides(user, "invoice", "pdf_url"):
        raise PermissionDenied(_("Your role does not show amounts."))
    return invoice_pdf(invoice)


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    lines = list(invoice.lines.all())
    taxes: dict = {}
    for line in lines:
        taxes[line.tax_rate] = taxes.get(line.tax_rate, 0) + line.tax
    payments = list(invoice.payments.all())
    paid = sum((payment.amount for payment in payments), Decimal(0))
    # Labels, dates, numbers and amounts in the buyer's language.
    with languages.writing_to(invoice.order.contact) as language:
        html = render_to_string(
            "orders/invoice_pdf.html",
            {
                "invoice": invoice,
                "lines": lines,
                "taxes": sorted(taxes.items()),
                "paid": paid,
                "due": invoice.total - paid,
                # Paid in full: the day the last payment came, printed instead of "Total due".
                "paid_on": (
                    payments[-1].received_on if payments and paid >= invoice.total else None
                ),
                "LANGUAGE_CODE": language,
            },
        )
    return HTML(string=html).write_pdf()
