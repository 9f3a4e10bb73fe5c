"""The database as tables, vendor-neutral: schema state, rows as JSON, checksums, loading."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import chain, islice

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.db.utils import load_backend
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

BATCH = 1000
# Tables that are the database's own bookkeeping, or that migrations write themselves.
SYSTEM_TABLES = {MigrationRecorder.Migration._meta.db_table, "sqlite_sequence"}


class DataError(Exception):
    """Data cannot be copied safely; the message says why, in words for the person running it."""


MigrationKey = tuple[str, str]


@dataclass(frozen=True)
class Schema:
    """The tables as the migrations recorded in a database shape them."""

    migrations: tuple[MigrationKey, ...]  # as recorded, for the manifest
    targets: tuple[MigrationKey, ...]  # the leaves to migrate an empty database to
    models: tuple[type[Model], ...]  # historical models, parents before children


@dataclass
class Tally:
    """Row count and an order-independent checksum: the same rows give the same sum anywhere."""

    rows: int = 0
    total: int = 0  # taken modulo 2**256 when read: reducing once costs less than per row

    def add(self, line: str) -> None:
        self.add_all([line])

    def add_all(self, lines: list[str]) -> None:
        # A sum of row hashes does not depend on the order rows come back in, which
        # differs between SQLite and PostgreSQL for text keys.
        self.rows += len(lines)
        self.total += sum(
            int.from_bytes(sha256(line.encode("utf-8")).digest(), "big") for line in lines
        )

    @property
    def checksum(self) -> str:
        return f"{self.total % (1 << 256):064x}"


@dataclass(frozen=True)
class TableCheck:
    table: str
    expected_rows: int
    rows: int
    expected_checksum: str
    checksum: str

    @property
    def ok(self) -> bool:
        return self.rows == self.expected_rows and self.checksum == self.expected_checksum


@dataclass
class Comparison:
    checks: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[TableCheck]:
        return [check for check in self.checks if not check.ok]


# Schema ------------------------------------------------------------------------------
def dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """Models sorted so that a table comes after the tables its foreign keys point at."""
    by_label = {model._meta.label_lower: model for model in models}
    needs: dict[str, set[str]] = {}
    for label, model in by_label.items():
        needs[label] = {
            f.remote_field.model._meta.label_lower
            for f in model._meta.local_concrete_fields
            # remote_field is set exactly on relations (Field.is_relation).
            if f.remote_field is not None and f.remote_field.model._meta.label_lower != label
        } & by_label.keys()
    ordered: list[type[Model]] = []
    done: set[str] = set()
    while len(done) < len(by_label):
        ready = sorted(label for label in needs if label not in done and needs[label] <= done)
        if not ready:
            # A cycle of foreign keys: constraints are checked at commit, so any order
            # loads; take the first to keep the order stable.
            ready = [min(label for label in needs if label not in done)]
        for label in ready:
            done.add(label)
            ordered.append(by_label[label])
    return ordered


def columns(model: type[Model]) -> list:
    return list(model._meta.local_concrete_fields)


def uncovered_tables(alias: str, schema: Schema) -> list[str]:
    """Tables in the database that no model describes (they are not copied)."""
    known = {model._meta.db_table for model in schema.models} | SYSTEM_TABLES
    return sorted(set(table_names(alias)) - known)


def table_names(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


# Rows --------------------------------------------------------------------------------
def encode(value):
    """A database value JSON has no type for, as a JSON string that the field's to_python()
    turns back into the same value (None, bool, numbers, text, lists and dicts are JSON's own).
    """
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise DataError(_("A value of type %(type)s cannot be copied.") % {"type": type(value)})


# JSON's own types go through the C encoder untouched and only the others reach encode():
# the same text as encoding each value first, without a Python call for every value.
ROW_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=encode
)


def _line_writer() -> Callable[[list | tuple], str]:
    """ROW_ENCODER.encode without its set-up on every call: json makes a new C encoder for
    each encode() (half the time a row's line takes); this one is made once, with the
    same settings and no check for cycles, which rows read from a database cannot have.
    Where json has no C encoder, or it writes anything else for a sample row, encode()."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return ROW_ENCODER.encode
    iterencode = make(
        None, encode, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )

    def line(values):
        return "".join(iterencode(values, 0))

    sample = [1, -2.5, 'ñ "x"\n', None, True, {"b": [1], "a": None}, datetime.date(2026, 3, 1)]
    try:
        same = line(sample) == ROW_ENCODER.encode(sample)
    except Exception:  # any failure means: use json's own way
        same = False
    return line if same else ROW_ENCODER.encode


row_line = _line_writer()


def line_batches(model: type[Model], alias: str) -> Iterator[list[str]]:
    """Every row of the model's table as one canonical JSON line, BATCH lines at a time."""
    names = [f.attname for f in columns(model)]
    connection = connections[alias]
    # The query values_list() runs, and the fields' database converters it applies, so a
    # value reads the same from SQLite and PostgreSQL without building an object per row;
    # date-times take shorter ways with the same result (fast_timestamps, utc_text_reader).
    query = model._base_manager.using(alias).order_by("pk").values_list(*names).query
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    selected = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    convert = row_converters(compiler.get_converters(selected), connection)
    with connection.chunked_cursor() as cursor:
        fast_timestamps(cursor, connection)
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            if convert:
                rows = map(convert, rows)
            yield [row_line(row) for row in rows]


def fast_timestamps(cursor, connection) -> None:
    """PostgreSQL: this cursor reads timestamptz values with psycopg's own loader (C, in
    psycopg-binary) instead of Django's, a Python subclass of it that only replaces the
    time zone with UTC, the session's own (Django sets it): the same aware values, with
    the same ISO text, for a third of the time a row takes to read."""
    if connection.vendor != "postgresql" or connection.timezone_name != "UTC":
        return
    from psycopg import adapters, postgres, pq

    oid = postgres.types["timestamptz"].oid
    cursor.cursor.adapters.register_loader(oid, adapters.get_loader(oid, pq.Format.TEXT))


def row_converters(converters: dict, connection) -> Callable | None:
    """One function converting a row as the compiler's converters do, or None if none."""
    if not converters:
        return None
    read_datetime = utc_text_reader(connection)
    steps = []
    for position, (functions, expression) in converters.items():
        if read_datetime and functions == [connection.ops.convert_datetimefield_value]:
            steps.append((position, read_datetime))
            continue

        def step(value, functions=functions, expression=expression):
            for function in functions:
                value = function(value, expression, connection)
            return value

        steps.append((position, step))

    def convert(row):
        row = list(row)
        for position, step in steps:
            row[position] = step(row[position])
        return row

    return convert


def stores_utc_text(connection) -> bool:
    """Whether the database keeps an aware date-time as the text of its UTC wall time, as
    Django's SQLite backend does with time zones on: str() of the naive UTC datetime."""
    return connection.vendor == "sqlite" and connection.timezone is datetime.UTC


def utc_text_reader(connection) -> Callable | None:
    """For SQLite, a DateTimeField value as read (the driver has parsed the text into a
    naive datetime) straight to the ISO text its line holds: what the backend's converter
    (make_aware in UTC) and encode() (isoformat) come to, without the two Python steps
    per value. A value stored with an offset keeps it, as the converter leaves it."""
    if not stores_utc_text(connection):
        return None

    def read_datetime(value):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.isoformat() + "+00:00"
        return value.isoformat()

    return read_datetime


def read_lines(model: type[Model], alias: str) -> Iterator[str]:
    """Every row of the model's table, each as one canonical JSON line."""
    return chain.from_iterable(line_batches(model, alias))


def summarize(alias: str, models: Iterable[type[Model]]) -> dict[str, Tally]:
    tallies = {}
    for model in models:
        tally = Tally()
        for lines in line_batches(model, alias):
            tally.add_all(lines)
        tallies[model._meta.db_table] = tally
    return tallies


def compare(expected: dict[str, tuple[int, str]], actual: dict[str, Tally]) -> Comparison:
    comparison = Comparison()
    for table in sorted(expected.keys() | actual.keys()):
        rows, checksum = expected.get(table, (0, ""))
        tally = actual.get(table, Tally())
        comparison.checks.append(TableCheck(table, rows, tally.rows, checksum, tally.checksum))
    return comparison


# Django's own fields that store a JSON string, integer or boolean exactly as it is given:
# loading passes such values straight through instead of calling the field's conversions.
AS_IS = {
    models.CharField: str,  # and EmailField, SlugField, URLField, …
    models.TextField: str,
    models.IntegerField: int,  # and the auto, big, small and positive ones
    models.BooleanField: bool,
}


def value_preparer(field, connection) -> Callable:
    """A function from a JSON value of `field` to what the database stores for it: the
    field's to_python() then get_db_prep_save(), with shortcuts for the common values.

    A shortcut that stored anything else would show in the comparison after loading.
    """

    def convert(value):
        return field.get_db_prep_save(field.to_python(value), connection)

    stored = field
    while stored.is_relation:  # a foreign key stores its target's value
        stored = stored.target_field
    if not type(stored).__module__.startswith("django.db.models."):
        return convert  # a field of our own or a library's may convert anything
    kind = next((kind for cls, kind in AS_IS.items() if isinstance(stored, cls)), None)
    if kind is not None:
        return lambda value: value if value is None or type(value) is kind else convert(value)
    if isinstance(stored, models.DateTimeField) and type(field) is type(stored):
        adapt = connection.ops.adapt_datetimefield_value
        as_text = stores_utc_text(connection)

        def prepare_datetime(value):
            # What to_python() and get_db_prep_save() come to for an aware ISO datetime,
            # and for no date-time at all; anything else goes the field's own way.
            if value is None:
                return None
            if type(value) is not str:
                return convert(value)
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                return convert(value)
            offset = parsed.utcoffset()
            if offset is None:
                return convert(value)
            if as_text and not offset:
                # In UTC already: the text SQLite's adapter would make of it, str() of
                # the naive time, is its ISO form less "+00:00".
                return parsed.isoformat(" ")[:-6]
            return adapt(parsed)

        return prepare_datetime
    return convert


def insert_lines(model: type[Model], alias: str, names: list[str], lines: Iterable[str]) -> int:
    """Insert rows given as JSON lines whose values follow `names` (attribute names)."""
    connection = connections[alias]
    by_name = {f.attname: f for f in columns(model)}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise DataError(
            _("Table %(table)s has columns this version does not know: %(names)s.")
            % {"table": model._meta.db_table, "names": ", ".join(unknown)}
        )
    fields = [by_name[name] for name in names]
    prepare = [value_preparer(f, connection) for f in fields]
    width = len(fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from models
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * width),
    )
    decode = json.JSONDecoder().decode
    count = 0
    lines = iter(lines)
    with connection.cursor() as cursor:
        while chunk := list(islice(lines, BATCH)):
            batch = []
            for line in chunk:
                values = decode(line)
                if type(values) is not list or len(values) != width:
                    raise DataError(
                        _("A row of table %(table)s has the wrong number of values.")
                        % {"table": model._meta.db_table}
                    )
                batch.append([p(value) for p, value in zip(prepare, values)])  # noqa: B905 - width checked
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reset_sequences(alias: str, models: Iterable[type[Model]]) -> None:
    """Make the next automatic id follow the highest copied one (PostgreSQL sequences)."""
    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# Databases ---------------------------------------------------------------------------
@contextmanager
def database_alias(settings_dict: Mapping[str, object], prefix: str = "dataio") -> Iterator[str]:
    """A connection alias for another database, in this thread, for as long as the block runs."""
    alias = f"{prefix}_{secrets.token_hex(4)}"
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: dict(settings_dict)})
    # A connection object of its own rather than an entry in the DATABASES setting: it is
    # private to this operation, and test isolation treats it as a dynamic connection.
    backend = load_backend(configured[DEFAULT_DB_ALIAS]["ENGINE"])
    connections[alias] = backend.DatabaseWrapper(configured[DEFAULT_DB_ALIAS], alias)
    try:
        yield alias
    finally:
        try:
            connections[alias].close()
        finally:
            del connections[alias]


def has_tables(alias: str) -> list[str]:
    """The tables that make this database not empty (SQLite's own tables do not count)."""
    return [name for name in table_names(alias) if not name.startswith("sqlite_")]


def drop_all_tables(alias: str) -> None:
    """Empty a database completely, so a failed or forced copy leaves nothing behind."""
    connection = connections[alias]
    names = has_tables(alias)
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP TABLE IF EXISTS {quote(name)} CASCADE")
        return
    # SQLite cannot turn foreign keys off inside a transaction; dropping in any order
    # with them on would fail on references between tables.
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")


def create_tables(alias: str, schema: Schema) -> list[str]:
    """Create the schema's tables straight from its models, as one step rather than by
    replaying every migration; returns the statements that build their indexes, to run
    once the rows are in. For a throwaway database: no migrations are recorded, and what
    migrations add beyond the models (the search index's triggers) is left out.
    """
    connection = connections[alias]
    with connection.schema_editor() as editor:
        for model in schema.models:
            # Many-to-many tables are created with the model that declares them.
            if not model._meta.auto_created:
                editor.create_model(model)
        indexes = [str(statement) for statement in editor.deferred_sql]
        editor.deferred_sql.clear()
    return indexes


def counting(lines: Iterable[str], tally: Tally) -> Iterator[str]:
    for line in lines:
        tally.add(line)
        yield line


def load_tables(
    alias: str,
    schema: Schema,
    source: Callable[[type[Model]], tuple[list[str], Iterable[str]]],
    expected: dict[str, tuple[int, str]] | None = None,
    progress: Callable[[str, int], None] | None = None,
    indexes: Iterable[str] = (),
) -> Comparison:
    """Fill an empty database at `schema` from `source`, then compare with `expected`.

    `source(model)` gives the column names and the JSON lines of one table. Runs in one
    transaction: when anything fails, or the copy differs from what was expected, no row
    stays behind. Without `expected`, the rows read from `source` are what is expected.
    `indexes` (from create_tables) are built after the rows are in: one sort each rather
    than a B-tree grown row by row, and a unique one still refuses duplicates.
    """
    counted: dict[str, Tally] = {}
    with transaction.atomic(using=alias):
        # Data migrations seed rows (the default lifecycle stages, …) while the empty
        # database is brought to the archive's schema; the archive holds those rows as
        # they were, so the seeded ones make way first, children before parents.
        with connections[alias].cursor() as cursor:
            for model in reversed(schema.models):
                table = connections[alias].ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        for model in schema.models:
            names, lines = source(model)
            if expected is None:  # what was read is what is expected
                tally = counted[model._meta.db_table] = Tally()
                lines = counting(lines, tally)
            inserted = insert_lines(model, alias, names, lines)
            if progress:
                progress(model._meta.db_table, inserted)
        with connections[alias].cursor() as cursor:
            for statement in indexes:
                cursor.execute(statement)
        reset_sequences(alias, schema.models)
        if expected is None:
            expected = {table: (t.rows, t.checksum) for table, t in counted.items()}
        comparison = compare(expected, summarize(alias, schema.models))
        if not comparison.ok:
            transaction.set_rollback(True, using=alias)
    return comparison
