"""Text folding shared by search, duplicate detection and sorting: lower case, no accents."""

from __future__ import annotations

import functools
import re
import unicodedata


@functools.lru_cache(maxsize=16_384)  # an import folds each name and company several times
def fold(value: str) -> str:
    """ "Ștefan Ionescu" → "stefan ionescu": what search and sort keys compare."""
    if not value:
        return ""
    if value.isascii():  # nothing to decompose: most names and every e-mail address
        return " ".join(value.casefold().split())
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


# Spreadsheets and CSV streams ------------------------------------------------------------
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().,/-]+$")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet won't run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe. Plain numbers and phone numbers
    ("+40 722 123 456", "-12.5") are left alone: they hold nothing a spreadsheet could run."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class Echo:
    """A file-like object whose write returns the line: csv.writer feeding a stream."""

    def write(self, value: str) -> str:
        return value
