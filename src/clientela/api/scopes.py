"""Token scopes: "<resource>:read" and "<resource>:write" for every registered resource."""

from __future__ import annotations

from collections.abc import Iterable

READ, WRITE = "read", "write"


def all_scopes() -> list[str]:
    from clientela.api.registry import discover

    return [f"{name}:{level}" for name, resource in discover().items() for level in resource.levels]


def grants(scopes: Iterable[str], resource: str, level: str) -> bool:
    """A write scope includes reading the same resource."""
    wanted = {f"{resource}:{level}"}
    if level == READ:
        wanted.add(f"{resource}:{WRITE}")
    return bool(wanted & set(scopes))
