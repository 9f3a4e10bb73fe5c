"""Record events (contact.created, task.completed, …) raised from the audit trail, the one
place every service already reports its writes to; webhooks and later automation listen.
Below them, every audited write tells which record types it wrote, for a cache of what
those tables hold (analytics' forecast history) to be forgotten at the write."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction

from clientela.core.models import model_name

if TYPE_CHECKING:
    from clientela.core.actors import Actor

# The audit action a service records → the event's verb.
VERBS = {
    "create": "created",
    "update": "updated",
    "restore version": "updated",
    "merge": "updated",
    "delete": "deleted",
    "restore": "restored",
    # A deal moved, won, lost or reopened is changed too.
    "move": "updated",
    "won": "updated",
    "lost": "updated",
    "reopen": "updated",
}


@dataclass(frozen=True)
class Event:
    name: str  # "contact.updated"
    record: models.Model
    actor: Actor | None
    changes: dict


# Event names offered to subscribers, by record type; apps add theirs with `declare`.
EVENTS: dict[str, list[str]] = {}
# A record type's own verb for an audit action: an invoice is only ever created by being
# issued, so its "create" raises invoice.issued.
OWN_VERBS: dict[str, dict[str, str]] = {}
# A listener takes a list of events: one audited change raises a few, an import's batch many,
# and a listener can then read what it needs (its subscriptions) once for all of them.
_LISTENERS: list[Callable[[list[Event]], None]] = []
# Told the (concrete) models of every audited write, whether it raises an event or not.
_WRITE_LISTENERS: list[Callable[[set[type[models.Model]]], None]] = []


def declare(record_type: str, *verbs: str, own_verbs: dict[str, str] | None = None) -> None:
    names = EVENTS.setdefault(record_type, [])
    names.extend(f"{record_type}.{verb}" for verb in verbs if f"{record_type}.{verb}" not in names)
    OWN_VERBS.setdefault(record_type, {}).update(own_verbs or {})


def names() -> list[str]:
    return [name for record_type in sorted(EVENTS) for name in EVENTS[record_type]]


def listen(listener: Callable[[list[Event]], None]) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def events_for(record: models.Model, action: str, changes: dict) -> list[str]:
    """The declared events one audited change raises."""
    record_type = model_name(record)
    declared = EVENTS.get(record_type, [])
    found = []
    verb = OWN_VERBS.get(record_type, {}).get(action) or VERBS.get(action)
    if verb and f"{record_type}.{verb}" in declared:
        found.append(f"{record_type}.{verb}")
    # An app may also declare an event named after an audit action of its own (deal.won).
    if action != verb and f"{record_type}.{action}" in declared:
        found.append(f"{record_type}.{action}")
    done = changes.get("done_at")
    if done and done[0] is None and done[1] and f"{record_type}.completed" in declared:
        found.append(f"{record_type}.completed")
    return found


def from_audit(*, record: models.Model, action: str, actor: Actor | None, changes: dict) -> None:
    """Called by `audit.log`, inside the writing transaction."""
    dispatch(
        [
            Event(name=name, record=record, actor=actor, changes=changes)
            for name in events_for(record, action, changes)
        ]
    )


def dispatch(raised: list[Event]) -> None:
    """Hand events to every listener at once (called inside the writing transaction)."""
    if not raised:
        return
    for listener in _LISTENERS:
        listener(raised)


def listen_to_writes(listener: Callable[[set[type[models.Model]]], None]) -> None:
    if listener not in _WRITE_LISTENERS:
        _WRITE_LISTENERS.append(listener)


def written(record_types: Iterable[type[models.Model]]) -> None:
    """Tell the write listeners which tables changed: at once, for the writing transaction's
    own reads, and again once it commits, since a reader elsewhere may meanwhile have
    cached the rows as they stood before it. Outside a transaction the write is committed
    already: they are told once. A listener tells the two apart by
    `connection.in_atomic_block` (True only for the first)."""
    if not _WRITE_LISTENERS:
        return
    changed = {model._meta.concrete_model or model for model in record_types}
    if not changed:
        return

    def tell() -> None:
        for listener in _WRITE_LISTENERS:
            listener(changed)

    if transaction.get_connection().in_atomic_block:
        tell()
    transaction.on_commit(tell)  # outside a transaction: at once, the one telling
