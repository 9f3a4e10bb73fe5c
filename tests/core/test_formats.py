"""Numbers, money and dates as a reader of each language writes them (R28): one layer,
Django's format modules for numbers and dates, clientela.core.money for amounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format

from clientela.core.money import format_money, format_totals

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1,234,567.89"),
        ("ro", "1.234.567,89"),
        ("es", "1.234.567,89"),
        # Indian grouping: three digits, then twos (12 lakh 34 thousand 567).
        ("hi", "12,34,567.89"),
    ],
)
def test_numbers_are_grouped_the_language_s_way(language, expected):
    with translation.override(language):
        assert number_format(Decimal("1234567.891"), 2, force_grouping=True) == expected


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("en", "3035.69", "RON", "3,035.69 RON"),
        ("en", "1234567.5", "EUR", "1,234,567.50 EUR"),
        ("ro", "3035.69", "RON", f"3.035,69{NBSP}lei"),
        ("ro", "3035.69", "EUR", f"3.035,69{NBSP}€"),
        ("ro", "-12", "RON", f"-12,00{NBSP}lei"),
        ("es", "3035.69", "EUR", f"3.035,69{NBSP}€"),
        ("es", "1234567.5", "RON", f"1.234.567,50{NBSP}RON"),
        ("hi", "3035.69", "INR", "₹3,035.69"),
        ("hi", "1234567.5", "INR", "₹12,34,567.50"),
        ("hi", "100000", "EUR", "€1,00,000.00"),
    ],
)
def test_money_in_each_language(language, amount, currency, expected):
    with translation.override(language):
        assert format_money(Decimal(amount), currency) == expected
    # The same, the language named rather than active.
    assert format_money(Decimal(amount), currency, language) == expected


def test_sums_by_currency_follow_the_language():
    totals = {"RON": Decimal("12500"), "EUR": Decimal("3000.5")}
    with translation.override("ro"):
        assert format_totals(totals) == f"3.000,50{NBSP}€ · 12.500,00{NBSP}lei"


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "long_date"),
    [
        ("en", "12/06/2026", "12/06/2026 2:05 p.m.", "Dec. 6, 2026"),
        ("ro", "06.12.2026", "06.12.2026, 14:05", "6 Decembrie 2026"),
        ("es", "06/12/2026", "06/12/2026 14:05", "6 de diciembre de 2026"),
        ("hi", "06-12-2026", None, None),
    ],
)
def test_dates_in_each_language(language, short_date, short_datetime, long_date):
    day = datetime.date(2026, 12, 6)
    moment = datetime.datetime(2026, 12, 6, 14, 5)
    with translation.override(language):
        assert date_format(day, "SHORT_DATE_FORMAT") == short_date
        if short_datetime:
            assert date_format(moment, "SHORT_DATETIME_FORMAT") == short_datetime
        if long_date:
            assert date_format(day) == long_date
        if language == "hi":
            # Django leaves Hindi's date-times to English's "N j, Y, P": the product's
            # format module gives them a Hindi reader's order.
            assert date_format(moment, "SHORT_DATETIME_FORMAT").startswith("06-12-2026 2:05")
            assert date_format(day, "YEAR_MONTH_FORMAT").endswith("2026")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "98,765.43 RON"), ("ro", f"98.765,43{NBSP}lei"), ("hi", "RON98,765.43")],
)
def test_the_money_tag_and_the_masked_filter_write_amounts_alike(language, expected):
    template = Template(
        "{% load ui %}{% money amount 'RON' %}|{{ amount|masked:'RON' }}|{% money none 'RON' %}"
    )
    with translation.override(language):
        shown = template.render(Context({"amount": Decimal("98765.43"), "none": None}))
    assert shown == f"{expected}|{expected}|•••"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["5 seconds ago", "25 minutes ago", "3 days ago"]),
        ("ro", ["acum 5 secunde", "acum 25 de minute", "acum 3 zile"]),
        ("es", ["hace 5 segundos", "hace 25 minutos", "hace 3 días"]),
        # Django's own Hindi catalogue has none of these: the product's does.
        ("hi", ["5 सेकंड पहले", "25 मिनट पहले", "3 दिन पहले"]),
    ],
)
def test_relative_times_in_each_language(language, expected):
    from django.utils import timezone

    from clientela.core.templatetags.ui import relative

    now = timezone.now()
    with translation.override(language):
        shown = [
            relative(now - datetime.timedelta(**ago))
            for ago in ({"seconds": 5}, {"minutes": 25}, {"days": 3})
        ]
    assert [text.replace(NBSP, " ") for text in shown] == expected
