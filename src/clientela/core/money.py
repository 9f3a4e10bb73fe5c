"""Money as people read it: Decimal amounts with their currency, grouped digits, two places;
and as the API writes it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def format_money(amount: Decimal, currency: str) -> str:
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def format_totals(totals: dict[str, Decimal]) -> str:
    """Sums by currency ("12,500.00 RON · 3,000.00 EUR"): amounts in different currencies
    are never added together."""
    return " · ".join(format_money(amount, currency) for currency, amount in sorted(totals.items()))


def amount_text(amount: Decimal | None) -> str | None:
    """An amount as the API writes it, "1200.50"; None stays None (an amount the user may
    not see, taken out by core.presenting)."""
    return None if amount is None else f"{Decimal(amount):.2f}"
