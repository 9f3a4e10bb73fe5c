"""Reads of the base currency and the rates, and conversion to the base currency.

Conversion is Decimal only. Each amount is multiplied by the rate in force on its
document's day and rounded to the cent, half up; the rounded amounts are then added. The
rate in force on a day is the latest one entered for that day or up to RATE_VALID_DAYS
before it (banks publish no rate at weekends and on holidays). A currency with no rate in
force is reported as missing, never counted at 1:1.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TypeVar

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies, list_currencies
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language

from clientela.core.models import ExchangeRate, InstallationSetting

BASE_CURRENCY_KEY = "base_currency"
RATE_VALID_DAYS = 7
K = TypeVar("K")
CENT = Decimal("0.01")


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes in use today somewhere in the world (CLDR's, through Babel):
    no Andorran peseta at the top of the list."""
    in_use = {
        code
        for territory in Locale.parse("en").territories
        for code in get_territory_currencies(str(territory))
    }
    return frozenset(in_use & set(list_currencies()))


def currency_choices() -> list[tuple[str, str]]:
    """Every currency as a choice, "EUR — Euro", named in the active language."""
    language = (get_language() or "en").split("-")[0]
    return [
        (code, f"{code} — {get_currency_name(code, locale=language)}")
        for code in sorted(currency_codes())
    ]


def base_currency() -> str:
    """The installation's base currency: the one an administrator chose, or the one the
    installation was set up with (CLIENTELA_CURRENCY)."""
    stored = (
        InstallationSetting.objects.filter(key=BASE_CURRENCY_KEY)
        .values_list("value", flat=True)
        .first()
    )
    return stored or settings.DEFAULT_CURRENCY


def recent_rates(base: str, limit: int = 60) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.filter(base=base).order_by("-day", "currency")[:limit]


def rates_for(base: str) -> QuerySet[ExchangeRate]:
    """The rates to the base currency, newest first (the API's list)."""
    return ExchangeRate.objects.filter(base=base)


@dataclass(frozen=True)
class Missing:
    currency: str
    day: datetime.date


@dataclass
class Converted:
    """A sum across currencies in the base currency. `total` counts only the amounts that
    had a rate; when `missing` is not empty the sum is incomplete and must not be shown
    as the total."""

    base: str
    total: Decimal = Decimal("0.00")
    missing: list[Missing] = field(default_factory=list)
    # Whether any amount was in a currency other than the base (else nothing to convert).
    foreign: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing


def _rate_table(
    base: str, wanted: set[tuple[str, datetime.date]]
) -> dict[str, tuple[list[datetime.date], list[Decimal]]]:
    """Per currency, its rate days (ascending) and rates, in the window the wanted days
    need: one query whatever the number of amounts."""
    if not wanted:
        return {}
    days = [day for _currency, day in wanted]
    rows = (
        ExchangeRate.objects.filter(
            base=base,
            currency__in={currency for currency, _day in wanted},
            day__lte=max(days),
            day__gte=min(days) - datetime.timedelta(days=RATE_VALID_DAYS),
        )
        .order_by("currency", "day")
        .values_list("currency", "day", "rate")
    )
    table: dict[str, tuple[list[datetime.date], list[Decimal]]] = defaultdict(lambda: ([], []))
    for currency, day, rate in rows:
        table[currency][0].append(day)
        table[currency][1].append(rate)
    return table


def rate_in_force(
    table: dict[str, tuple[list[datetime.date], list[Decimal]]], currency: str, day: datetime.date
) -> Decimal | None:
    days, rates = table.get(currency, ([], []))
    index = bisect.bisect_right(days, day) - 1
    if index < 0 or (day - days[index]).days > RATE_VALID_DAYS:
        return None
    return rates[index]


def convert(
    amounts: Iterable[tuple[str, datetime.date, Decimal]], *, base: str | None = None
) -> Converted:
    """Add up (currency, document day, amount) triples in the base currency."""
    base = base or base_currency()
    items = list(amounts)
    table = _rate_table(base, {(currency, day) for currency, day, _a in items if currency != base})
    return _convert(base, table, items)


def convert_sums(
    sums: list[dict[str, Decimal]], day: datetime.date, *, base: str | None = None
) -> list[Converted]:
    """Sums by currency, each valued on one day (open deals: today), with one read of
    the rates for all of them."""
    base = base or base_currency()
    table = _rate_table(
        base, {(currency, day) for sum_ in sums for currency in sum_ if currency != base}
    )
    return [
        _convert(base, table, [(currency, day, amount) for currency, amount in sum_.items()])
        for sum_ in sums
    ]


def convert_groups(
    groups: dict[K, list[tuple[str, datetime.date, Decimal]]], *, base: str | None = None
) -> dict[K, Converted]:
    """Several sums of (currency, document day, amount) triples (a month's orders each),
    every amount at its own day's rate, with one read of the rates for all of them."""
    base = base or base_currency()
    wanted = {
        (currency, day)
        for items in groups.values()
        for currency, day, _amount in items
        if currency != base
    }
    table = _rate_table(base, wanted)
    return {key: _convert(base, table, items) for key, items in groups.items()}


def _convert(
    base: str,
    table: dict[str, tuple[list[datetime.date], list[Decimal]]],
    items: list[tuple[str, datetime.date, Decimal]],
) -> Converted:
    result = Converted(base=base)
    missing: set[Missing] = set()
    total = Decimal(0)
    for currency, day, amount in items:
        if currency == base:
            total += Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
            continue
        result.foreign = True
        rate = rate_in_force(table, currency, day)
        if rate is None:
            missing.add(Missing(currency, day))
            continue
        total += (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    result.total = total.quantize(CENT)
    result.missing = sorted(missing, key=lambda m: (m.currency, m.day))
    return result
