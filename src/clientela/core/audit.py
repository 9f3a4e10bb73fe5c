"""The audit trail: every write to customer data records who, when, from where and what
changed, field by field. Services call `log`; the request's source and IP come from
`AuditMiddleware`, an API or import wraps its work in `acting(...)`."""

from __future__ import annotations

import contextvars
import datetime
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clientela.core import bulk, custom_fields, events, permissions, proxies
from clientela.core.models import AuditEntry, AuditSource
from clientela.core.text import spreadsheet_safe

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from clientela.core.actors import Actor

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class Origin:
    source: str = AuditSource.SYSTEM
    ip: str | None = None


_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "audit_origin",
    default=Origin(),  # noqa: B039 - Origin is a frozen dataclass
)


@contextmanager
def acting(source: str, ip: str | None = None) -> Iterator[None]:
    """Everything audited inside this block is marked as coming from `source`."""
    token = _origin.set(Origin(source=source, ip=ip))
    try:
        yield
    finally:
        _origin.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, through trusted proxies (see clientela.core.proxies)."""
    return proxies.client_ip(request)


class AuditMiddleware:
    """Marks writes made while serving a page as coming from the web UI, with the IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting(AuditSource.UI, client_ip(request)):
            return self.get_response(request)


# How each record type is captured as plain JSON; registered by its app. A snapshot
# function may take a second argument: what the caller has at hand of the record (see
# `snapshot`).
SNAPSHOTS: dict[type[models.Model], Callable[..., dict]] = {}


def register(model: type[_M], snapshot: Callable[[_M], dict]) -> None:
    # Keyed by the model: a snapshot function is only ever given its own model's records.
    SNAPSHOTS[model] = cast("Callable[..., dict]", snapshot)


def _plain(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(record: models.Model, at_hand: dict | None = None) -> dict:
    """The record as the trail keeps it. `at_hand`: parts of it the caller has just written
    (a contact's e-mails and phones), handed to its type's snapshot function so it need
    not read them back; only for a type whose function takes them."""
    take = SNAPSHOTS[type(record)]
    return plain_state(take(record) if at_hand is None else take(record, at_hand))


def plain_state(raw: dict) -> dict:
    """A snapshot function's dict as the trail stores it (dates as ISO text, decimals as
    text)."""
    return {key: _plain(value) for key, value in raw.items()}


def diff(before: dict | None, after: dict | None) -> dict:
    if not before and after:  # a new record (an import writes thousands at a time)
        return {key: [None, after[key]] for key in sorted(after) if after[key] is not None}
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


KEEP_STATE = object()


def log(
    *,
    actor: Actor | None,
    action: str,
    record: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    state: object = KEEP_STATE,
) -> AuditEntry | None:
    """Record one change. An update that changed nothing is not recorded. `state` is the
    record as it stands afterwards (by default `after`); None where there is no version
    to go back to, such as a move to the trash."""
    changes = diff(before, after)
    if action == "update" and not changes:
        return None
    entry = AuditEntry(
        **_entry_row(actor, action, record, changes, after if state is KEEP_STATE else state)
    )
    entry.save()
    events.written([record._meta.model])  # a request.user is a lazy object
    events.from_audit(record=record, action=action, actor=actor, changes=changes)
    return entry


def _entry_row(
    actor: Actor | None, action: str, record: models.Model, changes: dict, state: object
) -> dict[str, Any]:
    """One audit entry's columns: who (and from where, by the acting context), when, what."""
    origin = _origin.get()
    return {
        "at": timezone.now(),
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "source": origin.source,
        "ip": origin.ip,
        "action": action,
        "content_type_id": ContentType.objects.get_for_model(record).pk,
        "object_id": record.pk,
        "object_repr": str(record)[:200],
        "changes": changes,
        "state": state,
    }


def log_created(
    *,
    actor: Actor | None,
    records: Sequence[models.Model],
    at_hand: Sequence[dict | None] | None = None,
) -> None:
    """One "create" entry per record for many records created at once (an import's
    batch), written in one statement; `at_hand`: what the caller has of each record for
    its snapshot, as `snapshot` takes it (each record's snapshot must otherwise need no
    query). Each still raises its event, as `log` does."""
    rows = []
    for i, record in enumerate(records):
        state = snapshot(record, at_hand[i] if at_hand is not None else None)
        rows.append(_entry_row(actor, "create", record, diff(None, state), state))
    bulk.append(AuditEntry, rows)
    events.written(record._meta.model for record in records)
    events.dispatch(
        [
            events.Event(name=name, record=record, actor=actor, changes=row["changes"])
            for record, row in zip(records, rows, strict=True)
            for name in events.events_for(record, "create", row["changes"])
        ]
    )


def history(record: models.Model) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


EMPTY: tuple[object, ...] = (None, "", [], {})


def shown_changes(changes: dict) -> dict:
    """What a reader needs of an entry: a new record's empty fields are left out."""
    return {
        field: pair for field, pair in changes.items() if not (pair[0] is None and pair[1] in EMPTY)
    }


def masked_changes(changes: dict, user: Actor | None, record_type: str) -> dict:
    """An audit entry's changes as `user` may read them: sensitive values hidden."""
    if permissions.sees_sensitive(user):
        return changes
    hidden = permissions.hidden_fields(user, record_type)
    secret_keys = {d.key for d in custom_fields.definitions(record_type) if d.sensitive}
    shown: dict[str, list[Any]] = {}
    for field, (before, after) in changes.items():
        if field in hidden:
            shown[field] = [permissions.HIDDEN, permissions.HIDDEN]
        elif field == "custom":
            shown[field] = [
                {
                    k: (permissions.HIDDEN if k in secret_keys else v)
                    for k, v in (side or {}).items()
                }
                for side in (before, after)
            ]
        else:
            shown[field] = [before, after]
    return shown


# The trail as an auditor reads it: every record's changes, filtered, exported ----------
def has_done(actor: Actor, action: str, model: type[models.Model]) -> bool:
    """Whether this person ever did `action` to a record of this type (the first steps a
    new user is shown tick by it)."""
    return AuditEntry.objects.filter(
        actor_id=actor.pk, action=action, content_type=ContentType.objects.get_for_model(model)
    ).exists()


def trail(
    *,
    actor_id: int | None = None,
    source: str = "",
    record_type: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, narrowed by the filters given (each has an index)."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if source:
        entries = entries.filter(source=source)
    if record_type:
        entries = entries.filter(content_type__model=record_type)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries


EXPORT_COLUMNS = (
    "when",
    "actor",
    "source",
    "ip",
    "action",
    "record_type",
    "record_id",
    "record",
    "changes",
)


def export_row(entry: AuditEntry, user: Actor | None) -> list[str]:
    """One entry as a CSV row for `user`: sensitive values hidden as on the History tab."""
    record_type = entry.content_type.model
    changes = masked_changes(entry.changes, user, record_type)
    row = [
        entry.at.isoformat(),
        entry.actor.email if entry.actor is not None else "",
        entry.source,
        entry.ip or "",
        entry.action,
        record_type,
        entry.object_id,
        entry.object_repr,
        json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
    ]
    return [spreadsheet_safe(cell) for cell in row]
