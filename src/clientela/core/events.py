"""Record events (contact.created, task.completed, …) raised from the audit trail, the one
place every service already reports its writes to; webhooks and later automation listen.
Below them, every write tells which record types it wrote (the audit trail, and for every
statement the database connection itself: core.remembered's execute wrapper), for what is
remembered of those tables (core.remembered) to be forgotten when the write commits."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

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


class _Unsaved:
    """The record types one transaction has written so far, told to the write listeners
    once, when it commits (a callback of its own on the connection's commit list)."""

    def __init__(self) -> None:
        self.models: set[type[models.Model]] = set()
        # The commit list it was last found in: Django appends to that list in place and
        # makes a new one at a commit, a rollback or a savepoint's rollback.
        self.found_in: list | None = None

    def __call__(self) -> None:
        for listener in _WRITE_LISTENERS:
            listener(self.models)


# The open transaction's writes, by connection (each thread has its own).
_unsaved: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Unsaved] = weakref.WeakKeyDictionary()


def _pending(connection: BaseDatabaseWrapper) -> _Unsaved | None:
    """The writes waiting for this connection's transaction to commit: None once it has
    committed or rolled back, either of which empties its commit list (a rolled-back
    savepoint takes out the callbacks registered inside it, and so their writes too)."""
    unsaved = _unsaved.get(connection)
    if unsaved is None or not connection.in_atomic_block:
        return None
    hooks = connection.run_on_commit
    if hooks is unsaved.found_in or any(hook[1] is unsaved for hook in hooks):
        unsaved.found_in = hooks
        return unsaved
    return None


def written(record_types: Iterable[type[models.Model]]) -> None:
    """Tell the write listeners which tables changed, once the writing transaction commits:
    one call per transaction with every table it wrote, however many writes it made, and
    none for a transaction rolled back. Its own reads meanwhile ask `unsaved()`."""
    if not _WRITE_LISTENERS:
        return
    changed = {model._meta.concrete_model or model for model in record_types}
    if not changed:
        return
    connection = transaction.get_connection()
    unsaved = _pending(connection)
    if unsaved is None:
        unsaved = _Unsaved()
        if connection.in_atomic_block:
            _unsaved[connection] = unsaved
        unsaved.models |= changed
        transaction.on_commit(unsaved)  # at once where no transaction is open
        return
    unsaved.models |= changed


def unsaved() -> frozenset[type[models.Model]]:
    """The tables the open transaction has written and not yet committed: the listeners have
    not heard of them, so a cache of those tables must not serve this transaction."""
    pending = _pending(transaction.get_connection())
    return frozenset(pending.models) if pending is not None else frozenset()
