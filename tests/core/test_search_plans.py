"""A list narrowed by a search term reads its matches from the trigram index (pg_trgm on
PostgreSQL, FTS5 on SQLite) and looks those records up by key: it neither walks the
list's name index probing each row's search entry nor reads every entry of the record
type, either of which grows with the number of records. Checked on the plans the
database gives for the queries the list page runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.customers import services


@pytest.fixture
def narrowed_list(user, client):
    """The plans of the queries behind the contacts list narrowed by "fabri"."""
    for name in ("Ioana Fabricius", "Andrei Fabrian", "Elena Popa"):
        services.quick_add_contact(actor=user, name=name, email=f"{name.split()[0]}@x.ro")
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
