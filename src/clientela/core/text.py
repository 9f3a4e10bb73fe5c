"""Text as stored and compared: one normalising of what comes in (NFC, Romanian comma-below
letters, trimmed), and the folding search, duplicate detection and sorting share (lower
case, no accents)."""

from __future__ import annotations

import functools
import re
import unicodedata

# The legacy Romanian letters with a cedilla (what single-byte encodings and old keyboard
# layouts give) and the comma-below letters Romanian spells them with: one spelling is
# stored, so "Ştefan" and "Ștefan" are one name to search, sort and duplicate checks.
CEDILLA_TO_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")


def normalise(value: str) -> str:
    """Text as it is stored: Unicode NFC (a letter and its accent typed apart become one
    character), the Romanian cedilla letters ş ţ Ş Ţ as ș ț Ș Ț, line breaks as "\n",
    and no spaces around it. An import applies it to every cell it reads."""
    if not value:
        return ""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFC", value).translate(CEDILLA_TO_COMMA).strip()


# What is folded again and again (names, companies, e-mail addresses) is remembered; a long
# text (an e-mail's body, a note, folded once for its search entry) is not: 16,384 of those
# held as keys and values grew a mail fetch's memory with every message.
FOLD_CACHED_LENGTH = 200


def fold(value: str) -> str:
    """ "Ștefan Ionescu" → "stefan ionescu": what search and sort keys compare."""
    if not value:
        return ""
    if len(value) <= FOLD_CACHED_LENGTH:
        return _fold_short(value)
    return _fold(value)


@functools.lru_cache(maxsize=16_384)  # an import folds each name and company several times
def _fold_short(value: str) -> str:
    return _fold(value)


def _fold(value: str) -> str:
    if value.isascii():  # nothing to decompose: most names and every e-mail address
        return " ".join(value.casefold().split())
    decomposed = unicodedata.normalize("NFKD", value)
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
