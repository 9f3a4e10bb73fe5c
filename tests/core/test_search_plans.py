"""A list narrowed by a search term reads its matches from the trigram index (pg_trgm on
PostgreSQL, FTS5 on SQLite) and looks those records up by key: it neither walks the
list's name index probing each row's search entry nor reads every entry of the record
type, either of which grows with the number of records. Checked on the plans the
database gives for the queries the list page runs."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core import search
from clientela.core.models import SearchEntry
from clientela.customers import services
from clientela.customers.models import Company, Contact


def many_contact_entries(count: int = 20_000) -> None:
    """Entries enough that PostgreSQL's statistics see contacts as a large type (the
    planner chooses by them): the entries name no real contact, and match no test term."""
    contact_type = ContentType.objects.get_for_model(Contact)
    SearchEntry.objects.bulk_create(
        SearchEntry(
            content_type=contact_type,
            object_id=10**9 + n,
            title=f"Filler {n}",
            title_key=f"filler {n}",
            text=f"filler person {n} filler{n}@example.org",
        )
        for n in range(count)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_searchentry")


@pytest.fixture
def narrowed_list(user, client):
    """The plans of the queries behind the contacts list narrowed by "fabri"."""
    for name in ("Ioana Fabricius", "Andrei Fabrian", "Elena Popa"):
        services.quick_add_contact(actor=user, name=name, email=f"{name.split()[0]}@x.ro")
    if connection.vendor == "postgresql":
        many_contact_entries()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/contacts/", {"q": "fabri"}).content.decode()
    assert "Andrei Fabrian" in page and "Ioana Fabricius" in page
    assert "Elena Popa" not in page
    searched = [
        query["sql"]
        for query in captured
        if "core_search" in query["sql"] or "customers_contact" in query["sql"]
    ]
    plans = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test database's tables are a few rows, which PostgreSQL reads whole
            # whatever the indexes; what is asked here is which index it can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in searched:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql)
            plans[sql] = "\n".join(str(row[-1]) for row in cursor.fetchall())
    return plans


@pytest.mark.django_db
def test_postgresql_reads_a_terms_matches_from_the_trigram_index(narrowed_list):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index of PostgreSQL")
    reading = [plan for plan in narrowed_list.values() if "core_searchentry" in plan]
    assert reading, "no query read the search entries"
    for plan in reading:
        assert "core_search_text_trgm" in plan, plan
    page = [sql for sql in narrowed_list if "customers_contact" in sql and "LIMIT 51" in sql]
    assert page, "no page query"
    for sql in page:
        # The page looks the matches up by key: no per-row probe of the search entries.
        assert "core_searchentry" not in narrowed_list[sql], narrowed_list[sql]


@pytest.mark.django_db
def test_sqlite_reads_a_terms_matches_from_the_fts_index(narrowed_list):
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 index of SQLite")
    page = [sql for sql in narrowed_list if "customers_contact" in sql and "LIMIT 51" in sql]
    assert page, "no page query"
    for sql in page:
        plan = narrowed_list[sql]
        assert "core_search_fts VIRTUAL TABLE INDEX" in plan, plan
        # Entries are looked up by the ids FTS5 gives, not read by record type.
        assert "(content_type_id=?)" not in plan, plan
        assert "SCAN customers_contact" not in plan, plan


@pytest.mark.django_db
def test_postgresql_reads_a_small_types_matches_from_its_own_entries(user):
    """A term searched among few records (a knowledge base's articles, here companies)
    reads that type's entries, not every entry of every type holding the term: with
    contacts a large type, the plan takes the type's index, not the trigram index."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner of PostgreSQL")
    services.create_company(actor=user, data={"name": "Fabrica de Lapte"})
    many_contact_entries()
    with CaptureQueriesContext(connection) as captured:
        ids = search._few_substring_owners(ContentType.objects.get_for_model(Company).pk, "fabri")
    assert ids is not None
    (sql,) = [query["sql"] for query in captured if "core_searchentry" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "core_searchentry_content_type_id" in plan, plan
    assert "core_search_text_trgm" not in plan, plan
