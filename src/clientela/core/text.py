"""Text folding shared by search, duplicate detection and sorting: lower case, no accents."""

from __future__ import annotations

import unicodedata


def fold(value: str) -> str:
    """ "Ștefan Ionescu" → "stefan ionescu": what search and sort keys compare."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
