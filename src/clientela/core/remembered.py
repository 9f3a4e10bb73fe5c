"""Results computed from the database, remembered until a table they read is written: the
one cache of grouped figures (the dashboards, the people page, the forecast).

An entry's key is the SQL and parameters of the query that reads it (the reader's
visibility is in them: a representative's subquery over team membership, the ids a role's
scope resolved to), what else the caller says the result depends on, and the current
*generation* of every table that SQL names (every model's quoted table name found in its
text, subqueries and joins included). A write to a table gives it a new generation once
the writing transaction commits (`forget`, a write listener of `core.events`), so an entry
of the old one is never read again: no figure is served stale after a write.

Which tables were written is told by the database itself: every INSERT, UPDATE, DELETE or
TRUNCATE the product's connection runs tells `events.written` its table (`watch_writes`,
an execute wrapper installed on each new connection). So a bulk update, a job's
statement, raw SQL, a restore from the trash or from a backup, a team membership change,
a survey answered through its public link: none can bypass it, audited or not.

A transaction that has written a table a query reads is never served from the cache (its
own writes are not committed, the generation has not moved): it computes afresh.

Entries also expire after CACHE_SECONDS: a safety net only (a write lost between the
commit and the new generation, a cache emptied by halves), not what keeps them right.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet, Value

from clientela.core import events

CACHE_SECONDS = 6 * 3600  # the safety net: an entry is read afresh after this at the latest
_PREFIX = "remembered:"
_EPOCH = _PREFIX + "epoch"  # one generation for every table (`forget_all`)
_MISSING = object()
_T = TypeVar("_T")
_QUOTED = re.compile(r'"([^"]+)"')


@functools.cache
def _models_by_table() -> dict[str, tuple[type[Model], ...]]:
    """Every model's table (auto-created many-to-many tables included) → its models."""
    found: dict[str, tuple[type[Model], ...]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        found[table] = (*found.get(table, ()), model)
    return found


def tables_read(sql: str) -> set[str]:
    """The tables a query names: every quoted identifier of its text that is a model's
    table (Django quotes every table, in subqueries and joins too)."""
    known = _models_by_table()
    return {name for name in _QUOTED.findall(sql) if name in known}


def tables_of(written: Iterable[type[Model]]) -> set[str]:
    """The tables a write to these models may have changed: each model's own, its parents'
    (multi-table inheritance) and its many-to-many tables'."""
    tables: set[str] = set()
    for model in written:
        meta = model._meta
        tables.add(meta.db_table)
        tables.update(parent._meta.db_table for parent in meta.get_parent_list())
        tables.update(
            field.remote_field.through._meta.db_table
            for field in meta.local_many_to_many
            if field.remote_field.through is not None
        )
    return tables


def _generation_key(table: str) -> str:
    return f"{_PREFIX}generation:{table}"


def generations(tables: Iterable[str]) -> list[str]:
    """The current generation of every table (and of them all, `_EPOCH`), kept without
    expiry. One the cache lost is a new one: entries remembered under the old stay unread."""
    keys = [_EPOCH, *(_generation_key(table) for table in sorted(tables))]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            fresh = uuid.uuid4().hex
            found[key] = fresh if cache.add(key, fresh, None) else cache.get(key, fresh)
    return [str(found[key]) for key in keys]


def remembered(
    reads: QuerySet,
    compute: Callable[[], _T],
    *,
    key: Iterable[Any] = (),
    still_right: Callable[[_T], bool] | None = None,
) -> _T:
    """`compute()`, remembered under the SQL of `reads` (the query it runs, or one naming
    every table it reads with the reader's visibility), `key` (what else the result
    depends on: a language, a list of stages) and the generation of every table that SQL
    names. `still_right(value)`: False where a remembered value has gone out of date with
    time alone (a deadline passed since), to compute it afresh."""
    sql, params = reads.query.sql_with_params()
    tables = tables_read(sql)
    if tables & tables_of(events.unsaved()):
        return compute()  # this transaction wrote what it reads: the cache has not heard
    text = json.dumps(
        [sql, [repr(p) for p in params], list(key), generations(tables)], default=repr
    )
    cache_key = _PREFIX + hashlib.sha256(text.encode()).hexdigest()
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING or (still_right is not None and not still_right(cast("_T", value))):
        value = compute()
        cache.set(cache_key, value, CACHE_SECONDS)
    return cast("_T", value)


def rows(queryset: QuerySet) -> list:
    """The rows of `queryset` (grouped rows, as `.values().annotate()` gives them),
    remembered until a table its SQL names is written."""
    return remembered(queryset, lambda: list(queryset))


def totals(queryset: QuerySet, **aggregates: Any) -> dict[str, Any]:
    """`queryset.aggregate(**aggregates)`, remembered: read as one group (no GROUP BY)
    whose SQL names every table the aggregates' filters join, so that they count in the
    key's generations too."""
    one = queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(**aggregates)
    found = rows(one)
    return {name: found[0][name] for name in aggregates} if found else {}


def forget(written: set[type[Model]]) -> None:
    """The write listener (core.events, told once a transaction commits): every table
    written loses its generation, so the next reader gives it a new one (`generations`)
    and what was remembered under the old is never read again. Deleted rather than
    replaced: one statement for every table on Redis, and on the file cache a removal per
    table (no new file, no cull), which a write pays at every commit."""
    tables = tables_of(written)
    if tables:
        cache.delete_many([_generation_key(table) for table in tables])


def forget_all() -> None:
    """Every table gets a new generation: a database replaced under the cache (a test's
    rolled-back transaction, a restore)."""
    cache.set(_EPOCH, uuid.uuid4().hex, None)


# The writes the database runs -------------------------------------------------------------
_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?"
    r"|DELETE\s+FROM|(TRUNCATE))\s",
    re.IGNORECASE,
)
_NAME = re.compile(r'\s*(?:ONLY\s+)?(?:"([^"]+)"|(\w+))')


def written_by(sql: str) -> set[type[Model]]:
    """The models whose table a statement writes: an INSERT's, UPDATE's or DELETE's target,
    every table a TRUNCATE names. Anything else (a SELECT) writes none."""
    match = _WRITE.match(sql)
    if match is None:
        return set()
    known = _models_by_table()
    if match.group(1):  # TRUNCATE "a", "b" …
        names = _QUOTED.findall(sql[match.end() :]) or re.findall(r"\w+", sql[match.end() :])
    else:
        target = _NAME.match(sql, match.end())
        names = [target.group(1) or target.group(2)] if target else []
    return {model for name in names for model in known.get(name, ())}


def _tell_writes(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and context["connection"].alias == DEFAULT_DB_ALIAS:
        models = written_by(sql)
        if models and _may_defer(context["connection"]):
            events.written(models)
    return result


def _may_defer(wrapper: BaseDatabaseWrapper) -> bool:
    """Whether a write can be told at its commit: in a transaction or in autocommit; a
    connection in manual transaction management (autocommit off, no atomic block) has no
    commit callbacks, so its writes forget everything remembered at once."""
    if wrapper.in_atomic_block or wrapper.get_autocommit():
        return True
    forget_all()
    return False


def watch_writes(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """A `connection_created` receiver: the connection tells `events.written` what each
    of its statements writes."""
    if _tell_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_tell_writes)


def watching() -> bool:
    return _tell_writes in connection.execute_wrappers
