"""The kernel's remembered results (core.remembered): which tables a query reads and a
statement writes, and that every write statement, audited or not, gives its table a new
generation when it commits."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from clientela.core import events, remembered
from clientela.customers import services as customer_services
from clientela.customers.models import Contact, Tag
from clientela.tickets.models import Ticket
from clientela.users.models import Team, User


def _generation(model) -> str:
    return remembered.generations([model._meta.db_table])[1]


def test_the_tables_of_a_query_include_its_subqueries():
    visible = User.objects.filter(team__in=Team.objects.filter(name="Nord")).values("pk")
    query = Contact.objects.filter(owner_id__in=visible).values("source")
    assert {"customers_contact", "users_user", "users_team"} <= remembered.tables_read(
        str(query.query)
    )


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ('INSERT INTO "customers_contact" ("full_name") VALUES (%s)', {Contact}),
        ('UPDATE "tickets_ticket" SET "status" = %s', {Ticket}),
        ("update tickets_ticket set status = 'open'", {Ticket}),
        ('DELETE FROM "customers_contact" WHERE "id" = %s', {Contact}),
        ('INSERT OR IGNORE INTO "customers_contact_tags" ("tag_id") VALUES (1)', None),
        ('TRUNCATE "customers_contact", "tickets_ticket" RESTART IDENTITY', {Contact, Ticket}),
        ('SELECT COUNT(*) FROM "customers_contact"', set()),
        ("SAVEPOINT s1", set()),
    ],
)
def test_what_a_statement_writes(sql, written):
    if written is None:  # a many-to-many table: its auto-created model
        written = {Contact._meta.get_field("tags").remote_field.through}
    assert remembered.written_by(sql) == written


@pytest.mark.django_db
def test_the_products_connection_watches_its_writes():
    connection.ensure_connection()
    assert remembered.watching()


@pytest.mark.django_db(transaction=True)
def test_writes_no_audit_saw_give_their_tables_a_new_generation_at_the_commit():
    """A bulk insert, a queryset update, raw SQL and a many-to-many change: none goes
    through the audit trail, each moves its table's generation once committed."""
    first = _generation(Tag)
    with transaction.atomic():
        Tag.objects.bulk_create([Tag(name="vip", key="vip"), Tag(name="nou", key="nou")])
        assert Tag in events.unsaved()
        assert _generation(Tag) == first  # not before the commit
    second = _generation(Tag)
    assert second != first
    Tag.objects.filter(key="vip").update(color="red")
    third = _generation(Tag)
    assert third != second
    tickets = _generation(Ticket)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_tag SET color = 'blue'")
    assert _generation(Tag) != third
    assert _generation(Ticket) == tickets  # another table's generation is kept
    contact = customer_services.create_contact(actor=None, data={"full_name": "Ion"})
    through = Contact._meta.get_field("tags").remote_field.through
    before = remembered.generations([through._meta.db_table])[1]
    contact.tags.add(Tag.objects.get(key="vip"))
    assert remembered.generations([through._meta.db_table])[1] != before
    fourth = _generation(Tag)
    Tag.objects.filter(key="nou").delete()
    assert _generation(Tag) != fourth


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_keeps_the_generation():
    first = _generation(Tag)
    with pytest.raises(RuntimeError), transaction.atomic():
        Tag.objects.create(name="Anulat", key="anulat")
        raise RuntimeError
    assert _generation(Tag) == first


@pytest.mark.django_db(transaction=True)
def test_a_remembered_result_is_computed_once_until_its_table_is_written():
    computed = []
    tags = Tag.objects.all()

    def count() -> int:
        computed.append(1)
        return tags.count()

    assert remembered.remembered(tags, count) == 0
    assert remembered.remembered(tags, count) == 0
    assert len(computed) == 1
    Tag.objects.create(name="vip", key="vip")
    assert remembered.remembered(tags, count) == 1
    assert len(computed) == 2
    # Another reader's query (another visibility): its own entry.
    assert remembered.remembered(tags.filter(key="nou"), count) == 1
    assert len(computed) == 3
    with transaction.atomic():  # a transaction that wrote the table counts afresh
        Tag.objects.create(name="nou", key="nou")
        assert remembered.remembered(tags, count) == 2
        assert len(computed) == 4


@pytest.mark.django_db(transaction=True)
def test_rows_streamed_in_bulk_move_the_generation_too():
    """core.bulk streams rows with COPY on PostgreSQL, which no execute wrapper sees: it
    tells the write listeners itself."""
    from clientela.core import bulk

    first = _generation(Tag)
    bulk.append(Tag, [{"name": "vip", "key": "vip"}])
    second = _generation(Tag)
    assert second != first
    bulk.insert(Tag, [Tag(name="nou", key="nou")])
    assert _generation(Tag) != second
