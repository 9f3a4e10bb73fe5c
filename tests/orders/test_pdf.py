"""The invoice PDF: seller, buyer, lines, taxes and totals, read back from the file."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from clientela.orders import invoicing, services
from clientela.orders.pdf import invoice_pdf

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_invoice_pdf_holds_the_parties_lines_taxes_and_totals(user, shop, settings):
    settings.SELLER = {"name": "Mobila Vânzări SRL", "tax_id": "RO111", "address": "Str. Lungă 2"}
    order = services.create_order_for_customer(
        actor=user,
        customer=shop["contact"],
        lines=[{"product": shop["chair"], "quantity": 2}, {"product": shop["desk"], "quantity": 1}],
    )
    invoice = invoicing.issue_invoice(actor=user, order=order)
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "INV-000001",
        "Mobila Vânzări SRL",
        "RO111",
        "Fabrica de Mobilă SRL",  # the buyer: the contact's company
        "RO998877",
        "Ioana Marin",
        "Office chair",
        "Standing desk",
        "900.00",  # 2 x 450.00
        "2,100.50 RON",  # net
        "171.00 RON",  # tax at 19 %
        "108.05 RON",  # tax at 9 %, half up
        "2,379.55 RON",  # total due
    ):
        assert expected in text, f"{expected!r} not in the PDF:\n{text}"
    assert invoice.total == Decimal("2379.55")
