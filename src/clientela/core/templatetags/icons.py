"""heroicons' template tags, each icon's markup made once per process.

The library parses the icon's SVG, copies and serializes it on every use: ~45 µs, a
list page's 23 icons a millisecond (docs/performance.md). The markup depends only on
the tag's arguments, so it is kept. Templates load `icons` instead of `heroicons`;
the tags keep their names and arguments.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from heroicons.templatetags import heroicons as library

register = template.Library()


@lru_cache(maxsize=1024)
def _icon(style: str, name: str, size: int | None, attrs: tuple[tuple[str, object], ...]) -> str:
    return getattr(library, f"heroicon_{style}")(name, size=size, **dict(attrs))


def _tag(style: str, default_size: int) -> None:
    def tag(name: str, *, size: int | None = default_size, **attrs: object) -> str:
        return _icon(style, name, size, tuple(sorted(attrs.items())))

    register.simple_tag(tag, name=f"heroicon_{style}")


_tag("micro", 16)
_tag("mini", 20)
_tag("outline", 24)
_tag("solid", 24)
