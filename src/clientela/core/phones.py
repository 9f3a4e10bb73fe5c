"""Phone numbers in E.164 with the `phonenumbers` library, and the digits searches match."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

NON_DIGITS = re.compile(r"\D+")
PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")


@dataclass(frozen=True)
class Phone:
    raw: str
    e164: str
    # International digits and the national form's digits ("40722123456 0722123456"),
    # so a search for either way of writing it finds the number.
    search_digits: str
    # False for a number kept as written because it could not be checked (an import's):
    # stored as its digits, listed in data health until someone corrects it.
    verified: bool = True


def normalize(raw: str, region: str | None = None, *, valid: bool = False) -> Phone:
    """Parse a phone as typed, a number without a country code read in `region` (the
    installation's country by default); ValidationError with a readable message when it
    is no number. With `valid`, a number that is possible but assigned to no line in its
    country (a Spanish mobile read as Romanian) is refused too (an import checks so)."""
    raw = (raw or "").strip()
    phone, problem, assigned = _read(raw, (region or settings.PHONE_REGION).upper())
    if problem == UNREAD:
        raise ValidationError(_("“%(raw)s” is not a phone number.") % {"raw": raw})
    if problem == DIGITS:
        raise ValidationError(
            _("“%(raw)s” has too few or too many digits for a phone number.") % {"raw": raw}
        )
    if valid and not assigned:
        raise ValidationError(
            _("“%(raw)s” is not a valid phone number in %(country)s.")
            % {"raw": raw, "country": _country_of(phonenumbers.parse(phone.e164, None))}
        )
    return phone


UNREAD, DIGITS = "unread", "digits"


# Parsing is the slow part of checking a phone, and an import checks each number several
# times (reading the row with `valid`, storing the record without): the last few thousand
# readings are remembered, whether the number is assigned in its country with them, so
# the second check of a number is a lookup however it asks.
@functools.lru_cache(maxsize=4096)
def _read(raw: str, region: str) -> tuple[Phone, str, bool]:
    """(phone, problem, assigned): the problem UNREAD or DIGITS (said in the reader's
    language by `normalize`, so nothing translated is remembered), "" when the number is
    possible; assigned whether it belongs to a line in its country."""
    nothing = Phone(raw=raw, e164="", search_digits="")
    digits = NON_DIGITS.sub("", raw)
    if len(digits) < 3:
        return nothing, UNREAD, False
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return nothing, UNREAD, False
    if not phonenumbers.is_possible_number(parsed):
        return nothing, DIGITS, False
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    _remember_display(
        e164, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    national = NON_DIGITS.sub(
        "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    phone = Phone(raw=raw, e164=e164, search_digits=f"{e164.lstrip('+')} {national}")
    return phone, "", phonenumbers.is_valid_number(parsed)


def as_written(raw: str) -> Phone:
    """A number that could not be checked, kept as typed: its digits stand for the E.164
    form (no "+", so nothing takes it for a checked number) and are what searches match;
    ValidationError when it holds too few or too many digits to be kept."""
    raw = (raw or "").strip()
    digits = NON_DIGITS.sub("", raw)
    if not 3 <= len(digits) <= 32:
        raise ValidationError(_("“%(raw)s” is not a phone number.") % {"raw": raw})
    return Phone(raw=raw, e164=digits, search_digits=digits, verified=False)


def is_checked(e164: str) -> bool:
    """Whether a stored number was checked: E.164 starts with "+", a number kept as
    written (`as_written`) holds only its digits. A record's main phone says so without
    reading its phone rows."""
    return e164.startswith("+")


def _country_of(parsed: phonenumbers.PhoneNumber) -> str:
    """The two-letter country a number's country code belongs to (the first, when several
    share it)."""
    regions = phonenumbers.region_codes_for_country_code(parsed.country_code or 0)
    return phonenumbers.region_code_for_number(parsed) or (regions[0] if regions else "?")


def display(e164: str) -> str:
    """E.164 shown the international way: +40 722 123 456."""
    if not e164:
        return ""
    shown = _DISPLAY.get(e164)
    if shown is None:
        try:
            parsed = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return e164
        shown = _remember_display(
            e164, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        )
    return shown


# The display of the numbers parsed last: a list or an import's batch shows each number
# just after checking it, and parsing twice is the slow part.
_DISPLAY: dict[str, str] = {}


def _remember_display(e164: str, shown: str) -> str:
    if len(_DISPLAY) >= 4096:
        _DISPLAY.clear()
    _DISPLAY[e164] = shown
    return shown


def search_prefixes(query: str, region: str | None = None) -> list[str]:
    """The E.164 starts a phone-looking query may be: "+40 722" and "0040 722" are
    international, "0722 12" national (the region's trunk prefix dropped, its country code
    put before), "722 12" the national number without its trunk prefix and, when it starts
    with the region's country code, "40722" an international one without its plus."""
    query = query.strip()
    digits = NON_DIGITS.sub("", query)
    if query.startswith("+"):
        return [f"+{digits}"]
    if digits.startswith("00"):
        return [f"+{digits[2:]}"]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(
        (region or settings.PHONE_REGION).upper()
    )
    if metadata is None:
        return [f"+{digits}"]
    country = str(metadata.country_code)
    trunk = metadata.national_prefix or ""
    if trunk and digits.startswith(trunk):
        return [f"+{country}{digits[len(trunk) :]}"]
    starts = [f"+{country}{digits}"]
    if digits.startswith(country):
        starts.append(f"+{digits}")
    return starts


def starting_with(field: str, prefix: str) -> Q:
    """Values of `field` that start with `prefix` ("+" and digits), as a range of its index
    that the database reads in order, so a LIMIT stops early however many match. In a
    collation that ignores the "+" (a language's, on PostgreSQL) the range also holds
    numbers kept as the digits typed that start with the same digits."""
    head = prefix.rstrip("9")
    if not head[1:]:  # "+99…": no range ends it
        return Q(**{f"{field}__startswith": prefix})
    after = head[:-1] + chr(ord(head[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": after})


def looks_like_phone(query: str) -> bool:
    return bool(PHONE_LIKE.match(query.strip())) and len(NON_DIGITS.sub("", query)) >= 3


@functools.lru_cache(maxsize=16)
def countries(language: str) -> list[tuple[str, str]]:
    """[(code, "Romania +40")]: every country a number can be read in, named in
    `language` (Babel's names; the code where it has none), sorted by name."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(language.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    named = [
        (
            code,
            f"{names.get(code, code)} +{phonenumbers.country_code_for_region(code)}",
        )
        for code in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(named, key=lambda item: item[1].casefold())
