"""The invoice PDF: seller, buyer, lines, taxes and totals, read back from the file."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils.formats import date_format
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


def test_the_pdf_says_when_and_where_to_pay_and_paid_once_it_is(shop):
    """The due date and the seller's bank and IBAN, the buyer's billing address and tax id;
    once paid in full, "Paid on <day>" where "Total due" stood."""
    from clientela.customers import services as customers
    from clientela.orders.models import SellerDetails

    SellerDetails.objects.create(
        name="Mobila SRL",
        address="Str. Lungă 2, Cluj-Napoca",
        tax_id="RO111",
        registration_number="J12/345/2020",
        bank="Banca Transilvania",
        iban="RO49 AAAA 1B31 0075 9384 0000",
        payment_days=15,
    )
    customers.update_company(
        actor=None,
        company=shop["company"],
        data={
            "addresses": [
                {"address_kind": "shipping", "street": "Depozitul 9", "city": "Arad"},
                {"address_kind": "billing", "street": "Calea Victoriei 1", "city": "București"},
            ]
        },
        expected_version=None,
    )
    order = services.create_order_for_customer(
        actor=None, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    invoice = invoicing.issue_invoice(actor=None, order=order)
    text = pdf_text(invoice_pdf(invoice))
    due = date_format(invoice.due_on, "SHORT_DATE_FORMAT")
    assert (invoice.due_on - invoice.issued_at.date()).days == 15
    for expected in (
        f"Due {due}",
        "Banca Transilvania",
        "IBAN: RO49 AAAA 1B31 0075 9384 0000",
        "Registration number: J12/345/2020",
        "Calea Victoriei 1, București",  # the billing address, not the shipping one
        "Tax id: RO998877",
        "Total due",
    ):
        assert expected in text, f"{expected!r} not in the PDF:\n{text}"
    assert "Depozitul" not in text and "Paid on" not in text

    today = datetime.date.today()
    first, last = today - datetime.timedelta(days=9), today - datetime.timedelta(days=2)
    invoicing.record_payment(actor=None, invoice=invoice, amount="200.00", received_on=first)
    partly = pdf_text(invoice_pdf(invoice))
    assert re.search(r"Paid\s*200\.00 RON", partly) and re.search(r"Total due\s*335\.50", partly)

    invoicing.record_payment(actor=None, invoice=invoice, amount="335.50", received_on=last)
    paid = pdf_text(invoice_pdf(invoice))
    assert re.search(
        rf"Paid on\s*{re.escape(date_format(last, 'SHORT_DATE_FORMAT'))}\s*535\.50", paid
    )
    assert "Total due" not in paid
