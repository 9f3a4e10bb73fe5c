"""The invoice in its buyer's language: labels, dates, numbers and money as a reader of
that language writes them, Devanagari included; the person printing it keeps theirs."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from clientela.customers import services as customers
from clientela.orders import invoicing, services
from clientela.orders.models import Price, PriceList
from clientela.orders.pdf import invoice_pdf

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The PDF's text; the no-break space CLDR puts before "lei" or "€" read as a space."""
    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\xa0", " ")


def invoice_for(user, shop, language: str, currency: str):
    """One chair at 2,551.00 plus 19 % tax: 3,035.69 due, for a contact who reads
    `language`, in `currency`."""
    customers.update_contact(
        actor=user,
        contact=shop["contact"],
        data={"language": language},
        expected_version=shop["contact"].version,
    )
    PriceList.objects.update(currency=currency)
    Price.objects.filter(product=shop["chair"]).update(unit_price=Decimal("2551.00"))
    order = services.create_order_for_customer(
        actor=user, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    return invoicing.issue_invoice(actor=user, order=order)


CASES = {
    "ro": (
        "RON",
        ["Factură", "Furnizor", "Cumpărător", "Preț unitar", "Total de plată", "Emisă"],
        ["3.035,69 lei", "2.551,00 lei"],
        "%d.%m.%Y",
    ),
    "es": (
        "EUR",
        ["Factura", "Vendedor", "Comprador", "Precio unitario", "Total a pagar", "Emitida"],
        ["3.035,69 €", "2.551,00 €"],
        "%d/%m/%Y",
    ),
    "hi": (
        "INR",
        # The labels pypdf reads back whole: it loses the order of some vowel signs it
        # draws before their consonant (विक्रेता, कुल), which the PDF itself shows right.
        ["इनवॉइस", "ख़रीदार", "इकाई मूल्य", "जारी", "मात्रा", "शुद्ध"],
        ["₹3,035.69", "₹2,551.00"],
        "%d-%m-%Y",
    ),
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_the_invoice_is_written_in_the_contacts_language(user, shop, language):
    currency, labels, amounts, date_format = CASES[language]
    invoice = invoice_for(user, shop, language, currency)
    with translation.override("en"):
        text = pdf_text(invoice_pdf(invoice))
        assert translation.get_language() == "en"  # the reader's own language is kept
    # Headings are in capitals (CSS): labels are compared without case.
    folded = text.casefold()
    for label in labels:
        assert label.casefold() in folded, f"{label!r} not in the {language} PDF:\n{text}"
    for expected in [*amounts, timezone.localdate().strftime(date_format)]:
        assert expected in text, f"{expected!r} not in the {language} PDF:\n{text}"
    for english in ("Invoice", "Seller", "Buyer", "Total due", "Unit price", "Issued"):
        assert english.casefold() not in folded, f"{english!r} left in the {language} PDF"


def test_devanagari_is_drawn_with_a_font_that_has_it(user, shop):
    invoice = invoice_for(user, shop, "hi", "INR")
    page = PdfReader(io.BytesIO(invoice_pdf(invoice))).pages[0]
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-Devanagari" in name for name in fonts), fonts


def test_a_contact_without_a_language_gets_the_printing_persons(user, shop):
    invoice = invoice_for(user, shop, "", "RON")
    with translation.override("ro"):
        assert "Total de plată" in pdf_text(invoice_pdf(invoice))
    with translation.override("en"):
        assert "Total due" in pdf_text(invoice_pdf(invoice))


def test_the_download_is_in_the_buyers_language_and_the_page_in_the_users(user_client, shop, user):
    invoice = invoice_for(user, shop, "ro", "RON")
    pdf = user_client.get(f"/invoices/{invoice.pk}/pdf/")
    assert "Total de plată" in pdf_text(pdf.content)
    page = user_client.get(invoice.order.get_absolute_url()).content.decode()
    assert 'lang="en"' in page and "Total de plată" not in page
