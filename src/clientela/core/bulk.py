"""Many new rows of one model in a few statements, for the paths that write thousands at a
time (an import's batch, the benchmark generator). `QuerySet.bulk_create` compiles SQL for
every value of every row; here the statement is built once per call and each value goes
through its field's own `pre_save` and `get_db_prep_save` only, so defaults, auto-now
dates, JSON and foreign keys are stored exactly as `bulk_create` stores them.

`insert` takes model instances and gives them their new ids; `append` takes plain rows
(dicts by attribute name, no model instance built) for rows nobody needs back. Both stream
the rows with COPY on PostgreSQL and one prepared statement on SQLite (where new ids come
back from multi-row INSERTs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connections, models, router
from django.utils import timezone

from clientela.core import events

_M = TypeVar("_M", bound=models.Model)


def insert(model: type[_M], objs: Sequence[_M]) -> list[_M]:
    """INSERT `objs` (instances of `model` not saved yet); those without a primary key get
    theirs from the database, as `bulk_create` gives them. No signals are sent and
    `save()` is not called, as with `bulk_create`.

    On PostgreSQL the new ids are taken from the table's sequence in one query and the
    rows streamed with COPY: a multi-row INSERT of thousands of parameters is parsed by
    psycopg in Python on every call (it caches only short statements), which cost an
    import more than the database's own work on the contacts."""
    objs = list(objs)
    if not objs:
        return objs
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    pk = meta.pk
    needs_pk = [obj for obj in objs if obj.pk is None]
    has_pk = [obj for obj in objs if obj.pk is not None]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if needs_pk and connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s) ORDER BY 1",
                [meta.db_table, pk.column, len(needs_pk)],
            )
            for obj, (value,) in zip(needs_pk, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
            has_pk, needs_pk = objs, []
        if has_pk:
            fields = [f for f in meta.concrete_fields if f.column]
            _write(cursor, table, fields, _values(fields, has_pk, connection), quote)
        if needs_pk:
            fields = [f for f in meta.concrete_fields if f.column and f is not pk]
            limit = connection.features.max_query_params or 30_000
            size = max(1, min(500, limit // max(1, len(fields))))
            for start in range(0, len(needs_pk), size):
                chunk = needs_pk[start : start + size]
                row = "(" + ", ".join(["%s"] * len(fields)) + ")"
                sql = (
                    f"{_statement(table, fields, quote).split(' VALUES ')[0]} VALUES "
                    + ", ".join([row] * len(chunk))
                    # A primary key always has a column; the stubs allow None for any field.
                    + f" RETURNING {quote(pk.column)}"  # type: ignore[arg-type]
                )
                cursor.execute(
                    sql, [v for values in _values(fields, chunk, connection) for v in values]
                )
                for obj, (value,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    events.written([model])  # COPY is no statement the connection's execute wrapper sees
    return objs


def append(model: type[models.Model], rows: Sequence[dict]) -> int:
    """INSERT plain rows of `model`: each a dict of attribute name → value (`contact_id`,
    not `contact`). A field a row leaves out takes its default, auto-now dates this call's
    instant, and the primary key its sequence. No ids come back; returns the row count."""
    if not rows:
        return 0
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    given = set().union(*(row.keys() for row in rows))
    fields = [
        f for f in meta.concrete_fields if f.column and (not f.primary_key or f.attname in given)
    ]
    unknown = given - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"{meta.label} has no field {', '.join(sorted(unknown))}")
    now = timezone.now()
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    # What a model instance would hold for a field left out; auto-now dates always win.
    names = [f.attname for f in fields]
    defaults = [f.get_default() for f in fields]
    at_now = [i for i, name in enumerate(names) if name in stamped]
    prepare = _preparer(fields, connection)
    values = []
    for row in rows:
        row_values = list(map(row.get, names, defaults))  # row.get(name, default), in C
        for i in at_now:
            row_values[i] = now
        values.append(prepare(row_values))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _write(cursor, quote(meta.db_table), fields, values, quote)
    events.written([model])  # COPY is no statement the connection's execute wrapper sees
    return len(values)


def _write(
    cursor: Any, table: str, fields: list, values: list[tuple], quote: Callable[[str], str]
) -> None:
    """Rows of stored values: COPY on PostgreSQL, one prepared statement elsewhere."""
    if cursor.db.vendor == "postgresql":
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        cursor.executemany(_statement(table, fields, quote), values)


def _statement(table: str, fields: list, quote: Callable[[str], str]) -> str:
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (quoted names)


# Fields whose stored value is the Python value itself when it is exactly a str, int or bool
# (or None): their get_db_prep_save would return it unchanged.
PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}
PLAIN_TYPES = (str, int, bool, type(None))


def _preparer(fields: list, connection: Any) -> Callable[[list], tuple]:
    """A function turning one row's Python values (a list in `fields` order, which it may
    change) into stored values. A row whose plain fields all hold a str, int, bool or None
    (nearly every row) is checked with one set of its values' types, not value by value."""
    kinds = [
        "plain" if kind in PLAIN else "json" if kind == "JSONField" else "other"
        for kind in (f.get_internal_type() for f in fields)
    ]
    plain = [i for i, kind in enumerate(kinds) if kind == "plain"]
    others = [(i, fields[i], kind) for i, kind in enumerate(kinds) if kind != "plain"]
    plain_values = itemgetter(*plain) if len(plain) > 1 else None
    plain_types = frozenset(PLAIN_TYPES)
    converted: dict = {}  # (field, value) → stored value, for the repeated dates

    def stored(field: models.Field, value: object) -> object:
        key = (field, value)
        value = converted.get(key, key)
        if value is key:
            value = converted[key] = field.get_db_prep_save(key[1], connection)
        return value

    def prepare(row: list) -> tuple:
        if plain_values is None or not set(map(type, plain_values(row))) <= plain_types:
            for i in plain:
                if type(row[i]) not in plain_types:
                    row[i] = stored(fields[i], row[i])
        for i, field, kind in others:
            if kind == "json":  # a dict or list: no key to remember it by
                row[i] = field.get_db_prep_save(row[i], connection)
            else:
                row[i] = stored(field, row[i])
        return tuple(row)

    return prepare


def _values(fields: list, objs: Sequence[models.Model], connection: Any) -> list[tuple]:
    now = timezone.now()
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    getters = [
        (field, type(field).pre_save is not models.Field.pre_save and field not in stamped)
        for field in fields
    ]
    prepare = _preparer(fields, connection)
    relations = [f for f in fields if f.is_relation]
    rows = []
    for obj in objs:
        # A row given its parent object before the parent was saved takes the parent's
        # new id here, or is refused, as bulk_create does.
        if any(getattr(obj, f.attname) is None and f.is_cached(obj) for f in relations):
            # Django's own step of bulk_create, which the stubs leave out.
            obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
        for field in stamped:  # one instant for the whole call, as one statement has
            setattr(obj, field.attname, now)
        rows.append(
            prepare(
                [
                    field.pre_save(obj, True) if own_pre_save else getattr(obj, field.attname)
                    for field, own_pre_save in getters
                ]
            )
        )
    return rows
