"""Checks for the home page's "First steps" that belong to apps the home page may not
import (imports, e-mail accounts): each app registers whether a person has taken its step."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientela.core.actors import Actor

CHECKS: dict[str, Callable[[Actor], bool]] = {}


def register(key: str, check: Callable[[Actor], bool]) -> None:
    CHECKS[key] = check


def taken(user: Actor) -> dict[str, bool]:
    """key → whether `user` has taken the step, for every registered step."""
    return {key: check(user) for key, check in CHECKS.items()}
