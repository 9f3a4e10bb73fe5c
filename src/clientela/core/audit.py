"""The audit trail: every write to customer data records who, when, from where and what
changed, field by field. Services call `log`; the request's source and IP come from
`AuditMiddleware`, an API or import wraps its work in `acting(...)`."""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from clientela.core.models import AuditEntry, AuditSource


@dataclass(frozen=True)
class Origin:
    source: str = AuditSource.SYSTEM
    ip: str | None = None


_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "audit_origin",
    default=Origin(),  # noqa: B039 - Origin is a frozen dataclass
)


@contextmanager
def acting(source: str, ip: str | None = None):
    """Everything audited inside this block is marked as coming from `source`."""
    token = _origin.set(Origin(source=source, ip=ip))
    try:
        yield
    finally:
        _origin.reset(token)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware:
    """Marks writes made while serving a page as coming from the web UI, with the IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(AuditSource.UI, client_ip(request)):
            return self.get_response(request)


# How each record type is captured as plain JSON; registered by its app.
SNAPSHOTS: dict[type[models.Model], Callable[[models.Model], dict]] = {}


def register(model: type[models.Model], snapshot: Callable[[models.Model], dict]) -> None:
    SNAPSHOTS[model] = snapshot


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(record: models.Model) -> dict:
    return {key: _plain(value) for key, value in SNAPSHOTS[type(record)](record).items()}


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


KEEP_STATE = object()


def log(
    *,
    actor,
    action: str,
    record: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    state=KEEP_STATE,
) -> AuditEntry | None:
    """Record one change. An update that changed nothing is not recorded. `state` is the
    record as it stands afterwards (by default `after`); None where there is no version
    to go back to, such as a move to the trash."""
    changes = diff(before, after)
    if action == "update" and not changes:
        return None
    entry = _entry(actor, action, record, changes, after if state is KEEP_STATE else state)
    entry.save()
    return entry


def _entry(actor, action: str, record: models.Model, changes: dict, state) -> AuditEntry:
    origin = _origin.get()
    return AuditEntry(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        source=origin.source,
        ip=origin.ip,
        action=action,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        object_repr=str(record)[:200],
        changes=changes,
        state=state,
    )


def log_created(*, actor, records: list[models.Model]) -> None:
    """One "create" entry per record for many records created at once (an import's
    batch), written in one INSERT; each record's snapshot must need no query."""
    AuditEntry.objects.bulk_create(
        _entry(actor, "create", record, diff(None, after), after)
        for record, after in ((record, snapshot(record)) for record in records)
    )


def history(record: models.Model):
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
