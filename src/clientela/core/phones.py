"""Phone numbers in E.164 with the `phonenumbers` library, and the digits searches match."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
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


def normalize(raw: str, region: str | None = None) -> Phone:
    """Parse a phone as typed; ValidationError with a readable message when it is no number."""
    return _normalize((raw or "").strip(), (region or settings.PHONE_REGION).upper())


# Parsing is the slow part of checking a phone, and an import checks each number several
# times (reading, matching duplicates, storing): the last few thousand are remembered.
@functools.lru_cache(maxsize=4096)
def _normalize(raw: str, region: str) -> Phone:
    digits = NON_DIGITS.sub("", raw)
    if len(digits) < 3:
        raise ValidationError(_("“%(raw)s” is not a phone number.") % {"raw": raw})
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(raw)s” is not a phone number.") % {"raw": raw}) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(
            _("“%(raw)s” has too few or too many digits for a phone number.") % {"raw": raw}
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    _remember_display(
        e164, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    national = NON_DIGITS.sub(
        "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    return Phone(raw=raw, e164=e164, search_digits=f"{e164.lstrip('+')} {national}")


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


def looks_like_phone(query: str) -> bool:
    return bool(PHONE_LIKE.match(query.strip())) and len(NON_DIGITS.sub("", query)) >= 3
