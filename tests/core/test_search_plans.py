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


@pytest.fixture
def narrowed_list(user, client, monkeypatch):
    """The plans of the queries behind the contacts list narrowed by "fabri", contacts
    taken as a large type (more entries than `search.SMALL_TYPE`), as at 10k and more."""
    monkeypatch.setattr(search, "SMALL_TYPE", 1)
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
    # The type's size is read first (at most SMALL_TYPE + 1 of its entries, by its index):
    # bounded whatever the number of records; every read of the matches takes the trigram
    # index.
    reading = [
        plan
        for sql, plan in narrowed_list.items()
        if "core_searchentry" in plan and not sql.startswith("SELECT object_id, text LIKE")
    ]
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


def other_types_holding(term: str, count: int = 40) -> None:
    """Entries of contacts whose text holds `term`: what the trigram index lists beside a
    small type's matches (the tickets and contacts mentioning "oven" at 1M)."""
    contact_type = ContentType.objects.get_for_model(Contact)
    SearchEntry.objects.bulk_create(
        SearchEntry(
            content_type=contact_type,
            object_id=10**9 + n,
            title=f"{term.title()} Owner {n}",
            title_key=f"{term} owner {n}",
            text=f"{term} owner {n} {term}{n}@example.org",
        )
        for n in range(count)
    )


def companies_searched_for_fabri(user, settings=()) -> CaptureQueriesContext:
    """Three companies, two holding "fabri" (one in its website), among contacts holding
    it too, searched for "Fabri" (with these planner settings): the two are found, and
    no other. Returns the queries."""
    dairy = services.create_company(actor=user, data={"name": "Fabrica de Lapte"})
    works = services.create_company(
        actor=user, data={"name": "Uzina", "website": "https://fabrik.ro"}
    )
    services.create_company(actor=user, data={"name": "Brutaria Dulce"})
    other_types_holding("fabri")
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
    with CaptureQueriesContext(connection) as captured:
        found = set(Company.objects.filter(pk__in=search.matching_ids("Fabri", Company)))
    assert found == {dairy, works}
    return captured


# Every way the database may read a type's entries: the plan is the database's business,
# the rows are not.
PLANS = {
    "as planned": [],
    "no table scan": ["enable_seqscan = off"],
    "no index scan": ["enable_indexscan = off", "enable_bitmapscan = off"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("plan", list(PLANS))
def test_a_small_type_is_searched_in_its_own_entries(user, plan):
    """Companies searched for "fabri" among many contacts holding it: the companies that
    hold it and no other, read from the companies' own entries in one query that never
    asks the trigram index (chosen by the type's size, not by the planner), whichever
    plan the database takes."""
    if plan != "as planned" and connection.vendor != "postgresql":
        pytest.skip("planner settings of PostgreSQL")
    captured = companies_searched_for_fabri(user, PLANS[plan])
    reads = [query["sql"] for query in captured if "core_search" in query["sql"]]
    assert len(reads) == 1, reads
    assert "core_search_fts" not in reads[0]
    with connection.cursor() as cursor:
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + reads[0])
        shown = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "core_search_text_trgm" not in shown and "core_search_fts" not in shown, shown


@pytest.mark.django_db
def test_a_type_past_the_small_size_is_searched_through_the_trigram_index(user, monkeypatch):
    """The same search with companies a large type: the same companies, read from the
    trigram index (PostgreSQL) or FTS5 (SQLite) rather than from every company's entry."""
    monkeypatch.setattr(search, "SMALL_TYPE", 2)
    captured = companies_searched_for_fabri(user)
    asked = " ".join(query["sql"] for query in captured)
    assert ("core_search_fts" if connection.vendor == "sqlite" else "OFFSET 0") in asked, asked


@pytest.mark.django_db
def test_a_type_past_the_first_read_but_small_is_still_searched_in_its_own_entries(
    user, monkeypatch
):
    """A knowledge base of a few thousand articles: more entries than the first read
    takes, fewer than SMALL_TYPE. Counted from its index, then read whole with the term:
    the same companies, and the trigram (or FTS5) index, which lists every type's
    matches, is never asked."""
    monkeypatch.setattr(search, "FIRST_READ", 2)
    monkeypatch.setattr(search, "SMALL_TYPE", 10)
    captured = companies_searched_for_fabri(user)
    reads = [query["sql"] for query in captured if "core_search" in query["sql"]]
    assert len(reads) == 3, reads  # the first read, the bounded count, the whole type
    asked = " ".join(reads)
    assert "core_search_fts" not in asked and "OFFSET 0" not in asked, asked
    if connection.vendor == "sqlite":
        # The count reads the type's index alone, no row.
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + reads[1])
            shown = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "COVERING INDEX" in shown, shown


@pytest.mark.django_db
def test_a_type_counted_past_the_small_size_goes_to_the_trigram_index(user, monkeypatch):
    """Past the first read and counted past SMALL_TYPE: a large type, read from the
    trigram index (PostgreSQL) or FTS5 (SQLite); the same companies."""
    monkeypatch.setattr(search, "FIRST_READ", 1)
    monkeypatch.setattr(search, "SMALL_TYPE", 2)
    captured = companies_searched_for_fabri(user)
    asked = " ".join(query["sql"] for query in captured)
    assert "COUNT(*)" in asked, asked
    assert ("core_search_fts" if connection.vendor == "sqlite" else "OFFSET 0") in asked, asked
