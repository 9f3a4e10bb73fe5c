"""Exchange rates fetched from a public source, for installations that are online and
chose one (CLIENTELA_EXCHANGE_RATE_SOURCE; off by default: the app works offline).

The one source offered is the European Central Bank's daily reference rates (euro to
about thirty currencies, published on working days around 16:00 CET). Rates to a base
other than the euro are the ECB's cross rates: (EUR → base) / (EUR → currency), kept to
eight decimal places, half even.
"""

from __future__ import annotations

import datetime
import logging
import urllib.request
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from urllib.error import URLError
from xml.etree import ElementTree

from clientela.core.currencies import selectors, services
from clientela.core.currencies.services import RATE_PLACES

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
SOURCES = {"ecb": ECB_URL}
MAX_BYTES = 256 * 1024
TIMEOUT_SECONDS = 20


log = logging.getLogger(__name__)


class SourceError(Exception):
    """The source answered nothing usable."""


def parse_ecb(document: bytes) -> tuple[datetime.date, dict[str, Decimal]]:
    """The day and the euro rates of an ECB daily file: {"RON": Decimal("4.9753"), …}."""
    try:
        # A small file from a fixed address; expat expands no external entities.
        root = ElementTree.fromstring(document)  # noqa: S314
    except ElementTree.ParseError as error:
        raise SourceError(f"not the ECB's XML: {error}") from None
    day_cube = next((cube for cube in root.iter() if cube.get("time")), None)
    if day_cube is None:
        raise SourceError("no day in the ECB's file")
    try:
        day = datetime.date.fromisoformat(day_cube.get("time", ""))
        rates = {
            cube.get("currency", "").upper(): Decimal(cube.get("rate", ""))
            for cube in day_cube
            if cube.get("currency")
        }
    except (ValueError, InvalidOperation) as error:
        raise SourceError(f"a rate the ECB's file garbles: {error}") from None
    rates = {code: rate for code, rate in rates.items() if rate > 0 and len(code) == 3}
    if not rates:
        raise SourceError("no rates in the ECB's file")
    return day, rates


def to_base(euro_rates: dict[str, Decimal], base: str) -> dict[str, Decimal]:
    """The ECB's euro rates as rates to `base`: base units per one unit of each currency.
    Empty when the ECB does not quote the base."""
    quoted = {"EUR": Decimal(1), **euro_rates}
    if base not in quoted:
        return {}
    per_euro = quoted[base]
    return {
        code: (per_euro / rate).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
        for code, rate in quoted.items()
        if code != base
    }


def fetch(source: str) -> bytes:
    url = SOURCES[source]
    request = urllib.request.Request(url, headers={"User-Agent": "Clientela"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return bytes(response.read(MAX_BYTES))


def update_from(source: str) -> int:
    """Save the source's latest rates to the base currency; how many were saved. "" (no
    source configured) does nothing; a source that cannot be reached is logged."""
    if not source:
        return 0
    if source not in SOURCES:
        log.warning("CLIENTELA_EXCHANGE_RATE_SOURCE=%s is not a source we know.", source)
        return 0
    try:
        day, euro_rates = parse_ecb(fetch(source))
    except (URLError, TimeoutError, SourceError) as error:
        log.warning("Exchange rates from %s not fetched: %s", source, error)
        return 0
    base = selectors.base_currency()
    rates = to_base(euro_rates, base)
    if not rates:
        log.warning("The %s source has no rate for the base currency %s.", source, base)
        return 0
    return len(services.import_rates(actor=None, day=day, rates=rates, source=source))
