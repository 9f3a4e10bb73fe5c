"""Reading a table of another system's database (an SQLite file, PostgreSQL, MySQL or
MariaDB) over a read-only connection, its rows streamed in batches into a CSV file that
the import then takes like any file: the same mapping, preview, dry run, undo and resume,
and no password kept anywhere (the run holds the rows, not the address)."""

from __future__ import annotations

import csv
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.dataio.importing.reading import _cell_text

if TYPE_CHECKING:
    from clientela.dataio.models import ImportRun, MappingTemplate
    from clientela.users.models import User

FETCH_ROWS = 1000  # rows read from the server at a time: memory stays flat
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")
KINDS = {
    "sqlite": "SQLite",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
}


def kind_of(url: str) -> str:
    """sqlite, postgresql or mysql, from the address's scheme (a bare path is an SQLite
    file)."""
    scheme = urlsplit(url).scheme.lower().split("+")[0]
    if not scheme or url.startswith("/") or scheme == "file":
        return "sqlite"
    if scheme not in KINDS:
        raise ValidationError(
            _(
                "Give the database as sqlite:///path/file.db, postgresql://user@host/name or "
                "mysql://user@host/name."
            )
        )
    return {"postgres": "postgresql", "mariadb": "mysql"}.get(scheme, scheme)


def shown(url: str) -> str:
    """The address as logs and errors may show it: never the password."""
    parts = urlsplit(url)
    if not parts.scheme or parts.scheme == "file" or url.startswith("/"):
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{unquote(parts.username)}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{parts.path}"


def _scrubbed(url: str, error: Exception) -> str:
    """A driver's complaint, with the password taken out should it quote it."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    password = urlsplit(url).password
    if password:
        text = text.replace(password, "***").replace(unquote(password), "***")
    return text.replace(url, shown(url))


def _sqlite_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme in {"", "file"} or url.startswith("/"):
        return Path(unquote(parts.path if parts.scheme == "file" else url))
    # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy writes them.
    return Path(unquote(parts.path[1:] if parts.path.startswith("//") else parts.path))


@contextmanager
def _sqlite(url: str) -> Iterator[tuple[Any, list[str]]]:
    path = _sqlite_path(url)
    if not path.is_file():
        raise ValidationError(_("There is no SQLite file %(path)s.") % {"path": path})
    # mode=ro: SQLite itself refuses every write on this connection.
    with closing(sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)) as db:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        ]
        yield db, names


@contextmanager
def _postgresql(url: str) -> Iterator[tuple[Any, list[str]]]:
    import psycopg

    with psycopg.connect(
        url.replace("postgres://", "postgresql://", 1),
        options="-c default_transaction_read_only=on",
        connect_timeout=10,
    ) as db:
        db.read_only = True
        rows = db.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        names = [name for schema, name in rows if schema == "public"]
        names += [f"{schema}.{name}" for schema, name in rows]
        yield db, names


@contextmanager
def _mysql(url: str) -> Iterator[tuple[Any, list[str]]]:
    import pymysql
    import pymysql.cursors

    parts = urlsplit(url)
    db = pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=unquote(parts.path.lstrip("/")) or None,
        charset="utf8mb4",
        connect_timeout=10,
        cursorclass=pymysql.cursors.SSCursor,  # rows streamed, not loaded whole
    )
    try:
        with db.cursor() as cursor:
            # The session first, so that not even a statement that commits by itself (DDL)
            # may write; then this transaction.
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("START TRANSACTION READ ONLY")
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            )
            names = [row[0] for row in cursor.fetchall()]
        yield db, names
    finally:
        db.close()


def _quoted(kind: str, table: str) -> str:
    mark = "`" if kind == "mysql" else '"'
    return ".".join(f"{mark}{part}{mark}" for part in table.split("."))


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _cell_text(value)


def _errors(kind: str) -> tuple[type[Exception], ...]:
    if kind == "sqlite":
        return (sqlite3.Error,)
    if kind == "postgresql":
        import psycopg

        return (psycopg.Error,)
    import pymysql

    return (pymysql.Error,)


def copy_table(url: str, table: str, target: Path) -> int:
    """Write the table's rows to `target` as UTF-8 CSV, the column names first; returns
    the number of rows. Refuses with a clear reason (the address shown without its
    password) a database that does not answer or a table it does not have."""
    kind = kind_of(url)
    if not TABLE_NAME.match(table or ""):
        raise ValidationError(
            _("“%(table)s” is not a table name: letters, digits and _ only, perhaps schema.table.")
            % {"table": table}
        )
    opener = {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mysql}[kind]
    count = 0
    try:
        with opener(url) as (db, names):
            if table not in names and table.lower() not in {name.lower() for name in names}:
                raise ValidationError(
                    _("The database %(db)s has no table %(table)s.")
                    % {"db": shown(url), "table": table}
                )
            cursor = db.cursor(name="clientela_import") if kind == "postgresql" else db.cursor()
            try:
                cursor.execute(f"SELECT * FROM {_quoted(kind, table)}")  # noqa: S608 (a table of the catalogue)
                headers = [column[0] for column in cursor.description or ()]
                with target.open("w", encoding="utf-8", newline="") as out:
                    writer = csv.writer(out)
                    writer.writerow(headers)
                    while rows := cursor.fetchmany(FETCH_ROWS):
                        writer.writerows([_text(value) for value in row] for row in rows)
                        count += len(rows)
            finally:
                cursor.close()
    except _errors(kind) as error:
        target.unlink(missing_ok=True)
        raise ValidationError(
            _("The database %(db)s can't be read: %(problem)s")
            % {"db": shown(url), "problem": _scrubbed(url, error)}
        ) from None
    except ValidationError:
        target.unlink(missing_ok=True)
        raise
    return count


def create_run_from_database(
    *,
    actor: User,
    url: str,
    table: str,
    record_type: str,
    template: MappingTemplate | None = None,
) -> ImportRun:
    """A draft run for a table of another system's database, read over a read-only
    connection into the imports folder (copy_table): from there on it is a file
    like any other, mapped, previewed, run, resumed and undone the same way. The address
    is not kept, so neither is its password."""
    from clientela.dataio.importing import services

    services._validate_request(actor, record_type, "")
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    copy_table(url, table, path)
    size = path.stat().st_size
    if size > settings.IMPORT_MAX_BYTES:
        path.unlink(missing_ok=True)
        raise ValidationError(
            _("The table is larger than %(mb)d MB, the most an import takes.")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    name = _("table %(table)s (%(kind)s)") % {
        "table": table,
        "kind": KINDS[kind_of(url)],
    }
    return services._examined_run(actor, path, size, name, record_type, "utf-8", ",", template)
