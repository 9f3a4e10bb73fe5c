"""Text folding shared by search, duplicate detection and sorting: lower case, no accents."""

from __future__ import annotations

import unicodedata


def fold(value: str) -> str:
    """ "Ștefan Ionescu" → "stefan ionescu": what search and sort keys compare."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe, so "=HYPERLINK(…)" typed into a record stays text when exported."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
