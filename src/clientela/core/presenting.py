"""Records as a template or the API may show them to one user: every sensitive field of a
record type is None for a role without "see_sensitive", taken out here before a page or an
endpoint sees it, so no template hides a value behind an `{% if %}` of its own."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from clientela.core import permissions

if TYPE_CHECKING:
    from clientela.core.actors import Actor


def hides(user: Actor | None, record_type: str, field: str) -> bool:
    """Whether `user` may not see `field` of `record_type` (apps declare which fields)."""
    return field in permissions.hidden_fields(user, record_type)


def shown(user: Actor | None, record_type: str, field: str, value: Any) -> Any:
    """A value drawn from a sensitive field (a sum of amounts, a weighted total) as the user
    may see it: the value, or None."""
    return None if hides(user, record_type, field) else value


def present(user: Actor | None, record: Any, *, custom: Iterable[str] = ()) -> Any:
    """`record` as `user` may see it. Someone who sees everything is shown the record itself;
    anyone else a Presented view of it. `custom` names the custom fields the caller showed
    the user may see (core.custom_fields.definitions); the others are left out."""
    if record is None or permissions.sees_sensitive(user):
        return record
    return Presented(record, user, frozenset(custom))


_NO_CUSTOM: frozenset[str] = frozenset()


def underlying(value: Any) -> Any:
    """The record behind a presented one, for server code that queries by it (a template
    tag handed `record`): never to be put in a template's context."""
    return value._record if isinstance(value, Presented) else value


def present_all(user: Actor | None, records: Iterable[Any]) -> list[Any]:
    """Each of `records` as `user` may see it; the role is asked once for the whole list."""
    if permissions.sees_sensitive(user):
        return list(records)
    # The hidden fields once per record type, not once per row (a list is of one type, a
    # timeline of a few).
    hidden: dict[type, frozenset[str]] = {}
    shown: list[Any] = []
    for record in records:
        if record is None:
            shown.append(None)
            continue
        kind = type(record)
        if kind not in hidden:
            hidden[kind] = permissions.sensitive_fields(record._meta.model_name or "")
        shown.append(Presented(record, user, _NO_CUSTOM, hidden[kind]))
    return shown


def present_attached(user: Actor | None, rows: list[Any], name: str = "record") -> list[Any]:
    """`rows` (tasks, timeline entries) with the record a selector attached to each as
    `name` replaced by that record as `user` may see it: a task on a deal must not hand a
    template the deal's amount."""
    if permissions.sees_sensitive(user):
        return rows
    records = present_all(user, [getattr(row, name, None) for row in rows])
    for row, record in zip(rows, records, strict=True):
        setattr(row, name, record)
    return rows


class Presented:
    """A record with the fields the user may not see reading None. What it leads to is
    presented too: a related record by its own type's fields (`invoice.order.total`), a set
    of them (`order.lines.all`) line by line, a sensitive relation such as a deal's `lines`
    as its records with their prices taken out. Templates cannot read names that begin with
    an underscore, so the record inside stays out of their reach.

    A Presented exists only for a user who does not see sensitive fields (`present` gives
    anyone else the record itself), so a related record is presented without asking the
    role again, with its type's sensitive fields hidden; and once per relation, not on
    every read of it (a list row reads `ticket.contact` three times)."""

    __slots__ = ("_custom", "_hidden", "_record", "_related", "_user")

    def __init__(
        self,
        record: models.Model,
        user: Actor | None,
        custom: frozenset[str],
        hidden: frozenset[str] | None = None,
    ):
        self._record = record
        self._user = user
        self._hidden = (
            frozenset(permissions.hidden_fields(user, record._meta.model_name or ""))
            if hidden is None
            else hidden
        )
        self._custom = custom
        self._related: dict[str, Presented] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # Python's own protocols (copy, pickle), never a field
            raise AttributeError(name)
        record = self._record
        if name in self._hidden and not _is_relation(record, name):
            return None
        value = getattr(record, name)
        if name == "custom" and isinstance(value, dict):
            return {key: item for key, item in value.items() if key in self._custom}
        if isinstance(value, models.Model):
            related = self._related.get(name)
            if related is None or related._record is not value:  # read again if reassigned
                hidden = permissions.sensitive_fields(value._meta.model_name or "")
                related = self._related[name] = Presented(value, self._user, _NO_CUSTOM, hidden)
            return related
        if isinstance(value, models.Manager | models.QuerySet):
            return PresentedSet(value, self._user)
        return value

    def __str__(self) -> str:
        return str(self._record)

    def __repr__(self) -> str:
        return f"<Presented {self._record!r}>"

    def __eq__(self, other: object) -> bool:
        return self._record == (other._record if isinstance(other, Presented) else other)

    def __hash__(self) -> int:
        return hash(self._record)


class PresentedSet:
    """A set of related records (`order.lines`) as the user may see them: read only."""

    __slots__ = ("_records", "_user")

    def __init__(self, records: models.Manager[Any] | models.QuerySet[Any], user: Actor | None):
        self._records = records
        self._user = user

    def all(self) -> list[Any]:
        return present_all(self._user, self._records.all())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def count(self) -> int:
        return self._records.count()

    def exists(self) -> bool:
        return self._records.exists()


def _is_relation(record: models.Model, name: str) -> bool:
    try:
        return record._meta.get_field(name).is_relation
    except FieldDoesNotExist:
        return False
