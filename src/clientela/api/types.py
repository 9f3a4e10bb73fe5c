"""Field types the API's schemas share: bounded text without NUL characters, ids that fit
a database integer, JSON objects without NUL; what both databases accept."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StringConstraints

MAX_ID = 2**63 - 1
NUL = "\x00"


def _no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


def _no_nul_inside(value: Any) -> Any:
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(str(key))
            _no_nul_inside(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul_inside(item)
    return value


def text(max_length: int) -> Any:
    """Bounded text without NUL, as a pydantic annotation (a value made at run time)."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_no_nul_inside)]
