"""What a person leaving hands over: each app registers the records its users own or are
assigned (contacts, companies, open tasks, later deals, orders, tickets), so deactivating
someone passes all of it to a colleague in one step, whatever apps are installed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.functional import Promise

if TYPE_CHECKING:
    from clientela.core.actors import Actor


@dataclass(frozen=True)
class Handover:
    label: str | Promise  # plural, shown as "12 contacts"
    # The records `user` holds that pass on, as a queryset (counted before the step).
    held_by: Callable[[Actor], QuerySet]
    # Passes those records to `to`, audited, through the app's own service; returns how many.
    hand_over: Callable[..., int]


HANDOVERS: list[Handover] = []


def register(handover: Handover) -> None:
    HANDOVERS.append(handover)


def held(user: Actor) -> list[tuple[str | Promise, int]]:
    """What `user` would hand over, as (label, count) pairs with something in them."""
    counts = [(item.label, item.held_by(user).count()) for item in HANDOVERS]
    return [(label, count) for label, count in counts if count]
