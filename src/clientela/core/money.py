"""Money as people read it, in the active language's way (3.035,69 lei; 3.035,69 €;
₹3,035.69 with Indian grouping): Decimal amounts with their currency, two places; and as
the API writes it."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.utils.translation import get_language

# English keeps the ISO code after the amount ("12,500.00 RON"), as the product always
# wrote it: an English reader here is as often in Romania as anywhere, and "RON12,500.00"
# (CLDR's English) reads badly.
_PATTERNS = {"en": "#,##0.00 ¤¤"}
# What CLDR writes as the ISO code and people write as a word.
_SYMBOLS = {("ro", "RON"): "lei", ("ro", "EUR"): "€"}


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """An amount with its currency in `language` (by default the active one): digits
    grouped, two places, the symbol where the language puts it."""
    language = (language or get_language() or "en").split("-")[0].lower()
    locale = _locale(language)
    symbol = _SYMBOLS.get((locale.language, currency))
    pattern = _PATTERNS.get(locale.language)
    if symbol is not None:
        pattern = (pattern or locale.currency_formats["standard"].pattern).replace("¤", symbol)
    return format_currency(
        Decimal(amount), currency, format=pattern, locale=locale, currency_digits=False
    )


def format_totals(totals: dict[str, Decimal]) -> str:
    """Sums by currency ("12,500.00 RON · 3,000.00 EUR"): amounts in different currencies
    are never added together."""
    return " · ".join(format_money(amount, currency) for currency, amount in sorted(totals.items()))


def amount_text(amount: Decimal | None) -> str | None:
    """An amount as the API writes it, "1200.50"; None stays None (an amount the user may
    not see, taken out by core.presenting)."""
    return None if amount is None else f"{Decimal(amount):.2f}"


def format_rate(rate: Decimal, language: str | None = None) -> str:
    """An exchange rate with the places it has and no trailing zeros ("4,9753" in
    Romanian), grouped as the language groups."""
    from babel.numbers import format_decimal

    language = (language or get_language() or "en").split("-")[0].lower()
    value = Decimal(rate)
    places = max(-value.normalize().as_tuple().exponent, 0)  # type: ignore[operator]
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(
        value, format=pattern, locale=_locale(language), decimal_quantization=True
    )
