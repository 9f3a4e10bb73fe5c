"""Rows as canonical JSON lines and their checksums: fixed, so every archive ever written
still verifies against the manifest it carries."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest

from clientela.dataio.backups import tables

# The values as the run's database backend prepares them: run on each pass.
pytestmark = pytest.mark.each_database

# One row of each kind of value a database hands back, and the line and checksum that
# format version 1 archives hold for them (written by the first release's encoder).
ROWS = [
    [1, "Ana Popescu", None, True, False, 3.5, -7],
    [
        2,
        'Ofertă semnată — ñ "quoted"\n',
        decimal.Decimal("1234.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ],
    [
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 9, 30, 0, 120000, tzinfo=datetime.UTC),
        datetime.date(2026, 2, 28),
        datetime.time(17, 5, 1),
    ],
    [
        datetime.timedelta(days=2, hours=3, microseconds=5),
        b"\x00\xffbytes",
        memoryview(b"mv"),
        bytearray(b"ba"),
    ],
    [{"z": 1, "a": [1, "x", None], "m": {"b": 2, "a": 1}}, ["b", "a"], "", 0],
]
LINES = [
    '[1,"Ana Popescu",null,true,false,3.5,-7]',
    '[2,"Ofertă semnată — ñ \\"quoted\\"\\n","1234.50","12345678-1234-5678-1234-567812345678"]',
    '["2026-03-01T09:30:00+00:00","2026-03-01T09:30:00.120000+00:00","2026-02-28","17:05:01"]',
    '["P2DT03H00M00.000005S","AP9ieXRlcw==","bXY=","YmE="]',
    '[{"a":[1,"x",null],"m":{"a":1,"b":2},"z":1},["b","a"],"",0]',
]
CHECKSUM = "3e0bd4dad577d19cc09a694a5c68a51c7119982aa83e567562704244a83aaccc"


def test_rows_are_written_as_the_lines_every_archive_holds():
    assert [tables.row_line(row) for row in ROWS] == LINES


def test_the_checksum_is_the_one_every_archive_holds_in_any_order():
    forward, backward = tables.Tally(), tables.Tally()
    for line in LINES:
        forward.add(line)
    for line in reversed(LINES):
        backward.add(line)

    assert (forward.rows, forward.checksum) == (5, CHECKSUM)
    assert (backward.rows, backward.checksum) == (5, CHECKSUM)
    assert tables.Tally().checksum == "0" * 64


@pytest.mark.django_db
def test_a_loaded_date_and_time_is_stored_as_the_field_itself_stores_it():
    """The loaders' shortcut for ISO date-times gives the database exactly what the
    field's to_python() and get_db_prep_save() give, whatever the offset."""
    from django.db import connection

    from clientela.customers.models import Contact

    field = Contact._meta.get_field("created_at")
    prepare = tables.value_preparer(field, connection)
    for text in [
        "2026-03-01T09:30:00+00:00",
        "2026-03-01T09:30:00.120000+00:00",
        "2026-03-01T09:30:00.000000+00:00",
        "2026-03-01 09:30:00+00:00",
        "2026-W09-7T09:30:00+00:00",  # an ISO week date: the text is not the stored form
        "2026-03-01T01:15:07.000001+02:00",  # the UTC day before, on SQLite
        "2025-12-31T23:59:59-05:30",
        None,
    ]:
        expected = field.get_db_prep_save(field.to_python(text), connection)
        assert prepare(text) == expected, text


@pytest.mark.django_db
def test_rows_read_back_as_the_fields_own_conversions_give_them():
    """The lines of a table, read with the shortcut for SQLite's date-times, are the ones the
    ORM's values and encode() give: naive UTC text, whole seconds, empty values, and a time
    some other program stored with an offset."""
    from django.db import connection

    from clientela.customers import services
    from clientela.customers.models import Contact
    from clientela.users.services import create_user

    admin = create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)

    def make_contact(first_name):
        return services.create_contact(actor=admin, data={"full_name": first_name})

    moments = [
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 9, 30, 0, 120, tzinfo=datetime.UTC),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ]
    for index, moment in enumerate(moments):
        contact = make_contact(f"Person {index}")
        Contact.objects.filter(pk=contact.pk).update(created_at=moment, deleted_at=None)
    odd = make_contact("Offset")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE customers_contact SET created_at = %s WHERE id = %s",
                ["2026-03-01 09:30:00+02:00", odd.pk],
            )
    names = [f.attname for f in tables.columns(Contact)]
    by_orm = [
        tables.row_line(row) for row in Contact._base_manager.order_by("pk").values_list(*names)
    ]

    lines = list(tables.read_lines(Contact, "default"))

    assert lines == by_orm
    assert len(lines) == 4
    assert '"2026-03-01T09:30:00+00:00"' in lines[0]
    assert '"2026-03-01T09:30:00.000120+00:00"' in lines[1]
    expected_odd = "+02:00" if connection.vendor == "sqlite" else "+00:00"
    assert expected_odd in lines[3]
