"""Keyset pagination: pages continue after the last row shown, never OFFSET, never COUNT."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet


@dataclass
class Page:
    items: list
    next_cursor: str | None
    limit: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode(values: list) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, expected: int) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != expected:
        return None
    return values


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) …"""
    condition = Q()
    for i in range(len(ordering) - 1, -1, -1):
        name = ordering[i].lstrip("-")
        lookup = "lt" if ordering[i].startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[i]})
        if i < len(ordering) - 1:
            step |= Q(**{name: values[i]}) & condition
        condition = step
    if len(ordering) > 1:
        # The same bound on the first field alone, redundant for the result: databases seek
        # an index on a plain bound but not on the OR above, so without it a deep page reads
        # every row before the cursor.
        first = ordering[0].lstrip("-")
        bound = "lte" if ordering[0].startswith("-") else "gte"
        condition = Q(**{f"{first}__{bound}": values[0]}) & condition
    return condition


def keyset_page(queryset: QuerySet, ordering: list[str], cursor: str | None, limit: int) -> Page:
    """One page of `queryset` in `ordering` (non-null fields, the last one unique).
    A malformed cursor starts from the first page rather than failing."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        parsed = _parse(queryset.model, ordering, _decode(cursor, len(ordering)))
        if parsed is not None:
            queryset = queryset.filter(_after(ordering, parsed))
    rows = list(queryset[: limit + 1])
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = _encode([_value(last, name.lstrip("-")) for name in ordering])
    return Page(items=items, next_cursor=next_cursor, limit=limit)


# The largest integer both databases store: a bigger one in a cursor is not ours.
MAX_INTEGER = 2**63 - 1


def _parse(model: type[Model], ordering: list[str], values: list | None) -> list | None:
    """The cursor's values as the fields hold them; None when one does not fit (a cursor
    that was edited or comes from elsewhere starts from the first page)."""
    if values is None:
        return None
    parsed = []
    for field_name, value in zip(ordering, values, strict=True):
        field: Field | None
        try:
            # Orderings name the model's own columns, never a reverse relation.
            field = cast("Field", model._meta.get_field(field_name.lstrip("-")))
        except FieldDoesNotExist:  # an annotation: compared as it was sent
            field = None
        try:
            value = value if field is None else field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return None
        if value is None or (isinstance(value, int) and abs(value) > MAX_INTEGER):
            return None
        if isinstance(value, str) and "\x00" in value:
            return None
        parsed.append(value)
    return parsed


def _value(row: Model, name: str) -> Any:
    value = getattr(row, name)
    return value.isoformat() if hasattr(value, "isoformat") else value
