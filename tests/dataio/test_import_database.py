"""`clientela import --from-database URL --table T`: a table of an SQLite file or of a
MariaDB/MySQL server read over a read-only connection, then imported like a file (mapping,
dry run, undo); a wrong address or table refused with a reason that never shows the
password."""

from __future__ import annotations

import io
import secrets
import sqlite3

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from clientela.customers.models import Contact
from clientela.dataio.importing import database, services
from clientela.users.services import create_user

MARIADB = "mysql://root@127.0.0.1:3306/test"


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "old-crm.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE clients (id INTEGER, first_name TEXT, last_name TEXT, email TEXT)")
        db.executemany(
            "INSERT INTO clients VALUES (?, ?, ?, ?)",
            [(1, "Maria", "Popescu", "maria@lactatesud.ro"), (2, "Ion", "Ştefan", None)],
        )
    return path


def test_a_table_of_an_sqlite_file_is_imported_like_a_file(admin, sqlite_file):
    out = io.StringIO()
    call_command(
        "import", "--from-database", f"sqlite:///{sqlite_file}", "--table", "clients", stdout=out
    )
    assert "table clients (SQLite)" in out.getvalue()
    maria = Contact.objects.get(emails__address="maria@lactatesud.ro")
    assert maria.full_name == "Maria Popescu"
    assert Contact.objects.filter(full_name="Ion Ștefan").exists()  # comma-below, as typed
    # Imported again: matched by the old system's ID, not duplicated.
    call_command(
        "import", "--from-database", str(sqlite_file), "--table", "clients", stdout=io.StringIO()
    )
    assert Contact.objects.count() == 2


def test_the_sqlite_file_is_opened_read_only(admin, sqlite_file, monkeypatch):
    opened = []
    real = sqlite3.connect
    monkeypatch.setattr(
        database.sqlite3,
        "connect",
        lambda target, **kw: opened.append(target) or real(target, **kw),
    )
    run = database.create_run_from_database(
        actor=admin, url=str(sqlite_file), table="clients", record_type="contact"
    )
    assert opened and opened[0].endswith("?mode=ro")
    assert run.total_rows == 2 and run.mapping[:2] == ["external_id", "given_name"]


def test_a_missing_table_or_database_is_refused_with_a_reason(admin, sqlite_file):
    with pytest.raises(ValidationError, match="has no table nope"):
        database.create_run_from_database(
            actor=admin, url=str(sqlite_file), table="nope", record_type="contact"
        )
    with pytest.raises(ValidationError, match="not a table name"):
        database.create_run_from_database(
            actor=admin, url=str(sqlite_file), table="x; DROP TABLE y", record_type="contact"
        )
    with pytest.raises(CommandError) as refused:
        call_command(
            "import",
            "--from-database",
            "postgresql://someone:S3cret-pass@127.0.0.1:1/none",
            "--table",
            "t",
            stdout=io.StringIO(),
        )
    assert "S3cret-pass" not in str(refused.value)
    assert "postgresql://someone@127.0.0.1:1/none" in str(refused.value)


def _mariadb():
    import pymysql

    try:
        return pymysql.connect(
            host="127.0.0.1",
            port=3306,
            user="root",
            password="",
            database="test",
            connect_timeout=3,
        )
    except pymysql.Error as error:
        pytest.skip(f"MariaDB does not answer at 127.0.0.1:3306 (database test): {error}")


@pytest.fixture
def mariadb_table():
    connection = _mariadb()
    table = f"clientela_import_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table} (order_no VARCHAR(20), customer_email VARCHAR(100), "
            "sku VARCHAR(20), qty INT, price DECIMAL(10,2))"
        )
        cursor.execute(
            f"INSERT INTO {table} VALUES ('SO-9', 'maria@lactatesud.ro', 'LP-1', 3, 6.5)"  # noqa: S608
        )
    connection.commit()
    yield table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    connection.commit()
    connection.close()


def test_the_mariadb_connection_refuses_every_write(mariadb_table):
    import pymysql

    with database._mysql(MARIADB) as (db, names), db.cursor() as cursor:
        assert mariadb_table in names
        for statement in (f"DELETE FROM {mariadb_table}", f"DROP TABLE {mariadb_table}"):  # noqa: S608
            with pytest.raises(pymysql.err.MySQLError, match="READ ONLY"):
                cursor.execute(statement)


def test_a_mariadb_table_is_imported_read_only_and_undone(admin, mariadb_table):
    from clientela.customers import services as customer_services
    from clientela.orders.models import Order, PriceList, Product, Warehouse

    PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    Warehouse.objects.create(name="Depozit", is_default=True)
    Product.objects.create(sku="LP-1", name="Lapte 1 L")
    customer_services.create_contact(
        actor=admin, data={"full_name": "Maria Popescu", "emails": ["maria@lactatesud.ro"]}
    )
    run = database.create_run_from_database(
        actor=admin, url=MARIADB, table=mariadb_table, record_type="order"
    )
    assert run.mapping == ["order_number", "contact_email", "sku", "quantity", "unit_price"]
    services.configure(
        actor=admin, run=run, columns=run.mapping, duplicate_mode="skip", dry_run=False
    )
    run.status = run.Status.QUEUED
    run.save(update_fields=["status"])
    run = services.execute(run.pk)
    assert (run.created, run.rejected) == (1, 0), list(run.rejections.values("reason"))
    order = Order.objects.get()
    line = order.lines.get()
    assert (line.quantity, str(line.unit_price)) == (3, "6.50")
    services.undo(actor=admin, run=run)
    assert not Order.objects.filter(deleted_at__isnull=True).exists()
