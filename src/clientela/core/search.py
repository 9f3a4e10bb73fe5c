"""Global search: one function over every record type, a trigram index behind it on
PostgreSQL (pg_trgm) and on SQLite (FTS5 trigram table)."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.expressions import RawSQL

from clientela.core import bulk
from clientela.core.models import SearchEntry, model_name, model_of
from clientela.core.phones import NON_DIGITS, looks_like_phone, search_prefixes
from clientela.core.text import fold

if TYPE_CHECKING:
    from clientela.core.actors import Actor


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    parts: list[str]  # everything else that should find the record
    owner_id: int | None


# How each record type becomes a search document, registered by its app.
BUILDERS: dict[type[models.Model], Callable[[models.Model], Document]] = {}


# Rows found by the one search that are not records (a conversation's messages): who may
# see which, registered by their app with their builder. Records use their selector.
VISIBLE: dict[type[models.Model], Callable[[Actor], models.QuerySet]] = {}


def register(
    model: type[models.Model],
    builder: Callable[[models.Model], Document],
    visible: Callable[[Actor], models.QuerySet] | None = None,
) -> None:
    BUILDERS[model] = builder
    if visible is not None:
        VISIBLE[model] = visible


# Where the phone numbers of each record type are, registered by the app that keeps them:
# for an E.164 prefix, the ids of the records with a number starting with it, in the
# numbers' order, read from the numbers' own index. A phone-looking query finds records by
# the start of their numbers there, whatever the number of records.
NUMBER_OWNERS: dict[type[models.Model], Callable[[str], models.QuerySet]] = {}


def register_numbers(model: type[models.Model], owners: Callable[[str], models.QuerySet]) -> None:
    NUMBER_OWNERS[model] = owners


def entry_fields(document: Document) -> dict:
    """The SearchEntry columns for a document: what `index` writes, and what bulk loaders
    (imports, the benchmark data generator) write for many records at once."""
    return {
        "title": document.title[:200],
        "title_key": fold(document.title)[:200],
        "subtitle": document.subtitle[:300],
        "text": " ".join(fold(part) for part in [document.title, *document.parts] if part),
        "owner_id": document.owner_id,
    }


def new_entries(model: type[models.Model], documents: list[tuple[int, Document]]) -> None:
    """The search entries of many new records of `model`, from (id, document) pairs: written
    now, or at the end of the `entries_at_end` block this runs in."""
    content_type = ContentType.objects.get_for_model(model).pk
    rows = [
        {"content_type_id": content_type, "object_id": pk} | entry_fields(document)
        for pk, document in documents
    ]
    waiting = _waiting.get()
    if waiting is None:
        bulk.append(SearchEntry, rows)
    else:
        waiting.extend(rows)


_waiting: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "search_waiting", default=None
)


@contextmanager
def entries_at_end() -> Iterator[list]:
    """Hold the search entries `new_entries` writes in the block and write them together
    when it ends, in the caller's transaction (a block that fails writes none; the caller
    may also clear the list it is given, as a dry run does). An import's batch runs in
    one: on SQLite, FTS5 rows written inside the batch's nested savepoints cost more with
    every batch (40 µs a row at first, 120 µs after 8,000 rows, and growing); written
    after them they stay at ~40 µs."""
    waiting: list = []
    token = _waiting.set(waiting)
    try:
        yield waiting
    finally:
        _waiting.reset(token)
    bulk.append(SearchEntry, waiting)


@contextmanager
def entries_now() -> Iterator[None]:
    """Inside an `entries_at_end` block, a stretch whose entries are written at once (it
    runs in a savepoint of its own that may be rolled back). Write the waiting ones first
    (`write_waiting`)."""
    token = _waiting.set(None)
    try:
        yield
    finally:
        _waiting.reset(token)


def write_waiting() -> None:
    """Write the entries an `entries_at_end` block holds now: a record about to be
    re-indexed or removed may be one of them."""
    waiting = _waiting.get()
    if waiting:
        bulk.append(SearchEntry, waiting)
        waiting.clear()


def index(record: models.Model, document: Document | None = None) -> None:
    """Write (or rewrite) the record's search entry; called by the record's services,
    which may give the document when they hold what it is built from."""
    write_waiting()
    fields = entry_fields(document or BUILDERS[type(record)](record))
    # One INSERT … ON CONFLICT DO UPDATE (both databases; on SQLite its update fires the
    # FTS5 table's update trigger): update_or_create took four statements for an edit (a
    # savepoint, SELECT … FOR UPDATE, UPDATE, release) and six for a new record.
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                **fields,
            )
        ],
        update_conflicts=True,
        unique_fields=["content_type", "object_id"],
        update_fields=list(fields),
    )


def index_missing(model: type[models.Model], batch: int = 1000) -> int:
    """Write the search entry of every record of `model` that has none (rows written
    before their type joined the search, or by a load that skipped it), `batch` records
    at a time, each batch in its own transaction; returns how many were written. What
    `clientela reindex` runs for each registered type; running it again writes nothing."""
    from django.db import transaction

    build = BUILDERS[model]
    content_type = ContentType.objects.get_for_model(model)
    indexed = SearchEntry.objects.filter(content_type=content_type, object_id=models.OuterRef("pk"))
    missing = model._default_manager.filter(~models.Exists(indexed)).order_by("pk")
    written, after = 0, None
    while True:
        rows = list((missing if after is None else missing.filter(pk__gt=after))[:batch])
        if not rows:
            return written
        with transaction.atomic():
            new_entries(model, [(row.pk, build(row)) for row in rows])
        written += len(rows)
        after = rows[-1].pk


def remove(record: models.Model) -> None:
    write_waiting()
    SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).delete()


def normalise_query(query: str) -> str:
    """Phone-looking queries match on digits only: "+40 722-12" finds 40722123456."""
    query = query.strip()
    if looks_like_phone(query):
        return NON_DIGITS.sub("", query)
    return fold(query)


def _prefix_matches(entries: models.QuerySet, term: str) -> models.QuerySet:
    return entries.filter(title_key__gte=term, title_key__lt=term + "\uffff")


def _substring_matches(
    entries: models.QuerySet, term: str, first: int | None = None
) -> models.QuerySet:
    """Entries whose text holds `term` (three characters or more), through the trigram
    index; with `first`, only among the first that many matches the index gives (SQLite
    then stops reading it there, instead of listing every match of a common term)."""
    if connection.vendor == "sqlite":
        # FTS5 answers LIKE from its trigram index only without an ESCAPE clause, so a
        # "_" or "%" in the term stays a wildcard: it can only widen the match.
        pattern = f"%{term}%"
        if first is None:
            return entries.filter(
                id__in=RawSQL("SELECT rowid FROM core_search_fts WHERE text LIKE %s", [pattern])
            )
        return entries.filter(
            id__in=RawSQL(
                "SELECT rowid FROM core_search_fts WHERE text LIKE %s LIMIT %s", [pattern, first]
            )
        )
    return entries.filter(text__contains=term)


def _number_owners(query: str, model: type[models.Model] | None = None) -> list:
    """(record type, ids of its records with a number starting so) for each E.164 start
    `search_prefixes` makes of the query and each record type with numbers (or `model`
    only), in the numbers' index order. Each pair becomes its own SELECT, joined by UNION:
    PostgreSQL answers an OR of `object_id IN (subquery)` by reading every entry."""
    return [
        (kind, numbers_of(prefix))
        for prefix in search_prefixes(query)
        for kind, numbers_of in NUMBER_OWNERS.items()
        if model is None or kind is model
    ]


def _number_entries(entries: models.QuerySet, query: str) -> models.QuerySet | None:
    """For a phone-looking query, the entries of the records with a number starting with
    it, written any way `search_prefixes` knows; None when no number does (the digits are
    then looked for anywhere in the entries' text: part of a number, a name, a website)."""
    if not looks_like_phone(query):
        return None
    owners = _number_owners(query)
    if not any(ids.exists() for _model, ids in owners):
        return None
    parts = [SearchEntry.objects.filter(_entries_of(*owner)).values("pk") for owner in owners]
    return entries.filter(pk__in=parts[0].union(*parts[1:], all=True))


def _entries_of(model: type[models.Model], ids: models.QuerySet) -> models.Q:
    """The entries of the records of type `model` whose ids `ids` gives."""
    return models.Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)


def matching_entries(query: str, entries: models.QuerySet | None = None) -> models.QuerySet:
    """SearchEntry rows that match the query, best first: for a phone-looking query the
    records with a number starting with it (else the entries holding its digits), for
    other queries the entries whose text holds it, titles starting with it first."""
    entries = SearchEntry.objects.all() if entries is None else entries
    numbers = _number_entries(entries, query)
    if numbers is not None:
        return numbers.order_by("title_key", "id")
    return _text_matches(entries, normalise_query(query))


def _text_matches(entries: models.QuerySet, term: str) -> models.QuerySet:
    """Entries whose text holds the (normalised) term, titles starting with it first."""
    if not term:
        return entries.none()
    if len(term) < 3:
        # Trigram indexes need three characters; shorter terms match title prefixes.
        return _prefix_matches(entries, term).order_by("title_key", "id")
    prefix_first = models.Case(
        models.When(title_key__startswith=term, then=0),
        default=1,
        output_field=models.IntegerField(),
    )
    return (
        _substring_matches(entries, term)
        .annotate(rank=prefix_first)
        .order_by("rank", "title_key", "id")
    )


def matching_ids(query: str, model: type[models.Model]) -> models.QuerySet | RawSQL:
    """The ids of the records of type `model` that match the query, as a subquery: what a
    list's search box narrows it to. A phone-looking query is matched against the starts
    of these records' own numbers, read from the numbers' index; when none starts with it,
    or for other queries, as `matching_entries` matches text."""
    if looks_like_phone(query):
        parts = [ids.order_by() for _model, ids in _number_owners(query, model)]
        if any(part.exists() for part in parts):
            return parts[0].union(*parts[1:])
    content_type = ContentType.objects.get_for_model(model)
    entries = SearchEntry.objects.filter(content_type=content_type)
    term = normalise_query(query)
    small = _small_type_owners(content_type.pk, term)
    if small is not None:
        return small
    few = _few_substring_owners(content_type.pk, term)
    if few is not None:
        return few
    if connection.vendor == "sqlite" and len(term) >= 3:
        return _fts_owners(content_type.pk, term)
    return _text_matches(entries, term).values("object_id")


def _fts_owners(content_type_id: int, term: str) -> RawSQL:
    """On SQLite, the ids of the records of this type whose entry holds `term`, driven by
    the FTS5 trigram index: its matches are looked up by entry id. Asked with the type as
    an indexed condition, SQLite read every entry of the type (the content type's index)
    and checked each against the matches: a search of 10k contacts read all 10k. The unary
    `+` keeps it off that index."""
    return RawSQL(
        "SELECT object_id FROM core_searchentry WHERE id IN"
        " (SELECT rowid FROM core_search_fts WHERE text LIKE %s) AND +content_type_id = %s",
        [f"%{term}%", content_type_id],
    )


# A record type with at most this many search entries (a knowledge base's articles, the
# projects) has a term looked for in each of its own entries, whatever the other types hold.
SMALL_TYPE = 10_000
# How many of a type's entries are read with the term at once: most small types are
# smaller than this and are answered by that one read; a large type's read stops here.
FIRST_READ = 1000


def _entries_holding(content_type_id: int, pattern: str, limit: int) -> list[tuple]:
    """Up to `limit` entries of the type, each with whether its text holds the pattern."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id, text LIKE %s ESCAPE '\\' FROM core_searchentry"
            " WHERE content_type_id = %s LIMIT %s",
            [pattern, content_type_id, limit],
        )
        return cursor.fetchall()


def _type_size(content_type_id: int, limit: int) -> int:
    """How many entries the type has, counted up to `limit` from its index alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM core_searchentry"
            " WHERE content_type_id = %s LIMIT %s) AS bounded",
            [content_type_id, limit],
        )
        return cursor.fetchone()[0]


def _small_type_owners(content_type_id: int, term: str) -> RawSQL | None:
    """The ids of the records of this type whose entry holds `term` (three characters or
    more), when the type has at most SMALL_TYPE entries (else None). The trigram index
    lists the matches of every type: a common word ("oven") finds thousands of tickets and
    contacts, read and dropped to keep a few articles (623 ms at 1M contacts). Here the
    type's entries are read through its own index and each says whether it holds the term.
    The first read takes at most FIRST_READ + 1 of them, which answers most small types in
    one query; past that, the type's entries are counted from its index (up to
    SMALL_TYPE + 1, no row read) and, if the type is still small (a knowledge base of a few
    thousand articles), all of them are read with the term. More than SMALL_TYPE means a
    large type, searched through the trigram index instead: a large type pays the first
    read and the bounded count, whatever its size. Chosen by the size counted here, not by
    the planner's statistics: the term is compared in the select list, where no index
    answers it, so whichever way the database reads the type's entries, the rows and the
    work are the same."""
    if len(term) < 3:
        return None
    pattern = f"%{connection.ops.prep_for_like_query(term)}%"
    first = min(SMALL_TYPE, FIRST_READ)
    rows = _entries_holding(content_type_id, pattern, first + 1)
    if len(rows) > first:
        if first >= SMALL_TYPE or _type_size(content_type_id, SMALL_TYPE + 1) > SMALL_TYPE:
            return None
        rows = _entries_holding(content_type_id, pattern, SMALL_TYPE + 1)
        if len(rows) > SMALL_TYPE:  # grown since it was counted
            return None
    return _id_list([object_id for object_id, holds in rows if holds])


def _id_list(ids: list[int]) -> RawSQL:
    """Ids as a subquery of one parameter, not one per id: the list looks each up by key."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


# A list narrowed by a search term is sorted by its own column (a name), not by the match.
# When a term matches at most this many records, their ids are read first through the
# trigram index and the list sorts just those; when it matches more, the matches are dense
# enough that walking the list's own index meets a page of them early.
FEW_MATCHES = 10000


def _few_substring_owners(content_type_id: int, term: str) -> RawSQL | None:
    """The ids of the records of this type whose entry holds `term`, when there are at
    most FEW_MATCHES of them (else None), on PostgreSQL. Asked as one query, the planner
    walks the name index and probes each row's entry: at 1M contacts, 39,629 probes and
    255 ms to find a page of the 9,297 people called Moreno. Here the trigram index is
    read first, in a subquery the planner may not merge (OFFSET 0), and the read stops at
    FEW_MATCHES + 1 (a common term is read from the table's start instead)."""
    if connection.vendor != "postgresql" or len(term) < 3:
        return None
    pattern = f"%{connection.ops.prep_for_like_query(term)}%"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id FROM (SELECT object_id, content_type_id FROM core_searchentry"
            " WHERE text LIKE %s OFFSET 0) AS matches WHERE content_type_id = %s LIMIT %s",
            [pattern, content_type_id, FEW_MATCHES + 1],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) > FEW_MATCHES:
        return None
    return _id_list(ids)


def _first_number_entries(entries: models.QuerySet, query: str, limit: int) -> list:
    """Up to `limit` entries of records with a number starting with a phone-looking query,
    in one query: for each prefix and record type, the first `limit` numbers in their
    index's order (a common start like "0722" reads `limit` numbers, not all of them);
    sorted as `matching_entries` sorts."""
    parts = [
        entries.filter(_entries_of(model, ids[:limit])) for model, ids in _number_owners(query)
    ]
    if not parts:
        return []
    found = {entry.pk: entry for entry in parts[0].union(*parts[1:], all=True)}
    return sorted(found.values(), key=lambda e: (e.title_key, e.pk))[:limit]


def best_entries(query: str, limit: int) -> list[SearchEntry]:
    """The first `limit` entries in `matching_entries` order, reading at most `limit` rows
    per step: for a phone-looking query the records whose numbers start with it, from the
    numbers' index; else titles starting with the query from the title index, then (only
    when those are too few) other matches from the trigram index, sorted here. Ranking
    every match in SQL would sort thousands of rows for a common name at a million
    contacts."""
    term = normalise_query(query)
    if not term:
        return []
    entries = SearchEntry.objects.select_related("content_type")
    found = []
    if looks_like_phone(query):
        found = _first_number_entries(entries, query, limit)
        if found:
            return found
    else:
        found = list(_prefix_matches(entries, term).order_by("title_key", "id")[:limit])
    if len(found) == limit or len(term) < 3:
        return found
    # Fewer prefix matches than `limit` means every one is in `found`: `limit` matches of
    # the trigram index hold the `limit - len(found)` others wanted.
    others = _substring_matches(entries, term, first=limit).exclude(title_key__startswith=term)
    return found + sorted(others[: limit - len(found)], key=lambda e: (e.title_key, e.pk))


def entries_with_any(
    words: Sequence[str], model: type[models.Model], within: models.QuerySet, limit: int
) -> list[SearchEntry]:
    """Up to `limit` entries of the records of `model` among `within` (a selector's
    records) whose text holds any of the words (three characters or more), those holding
    the most of them first: what a text suggests of a small record type (the articles a
    ticket's words point to), in one query. The type's own entries are read through the
    (content type, object) index, not the trigram index, which would list every record
    of every type holding a common word."""
    terms = list(dict.fromkeys(term for term in map(fold, words) if len(term) >= 3))
    if not terms:
        return []
    holds_any = models.Q()
    for term in terms:
        holds_any |= models.Q(text__contains=term)
    score = sum(
        (
            models.Case(
                models.When(text__contains=term, then=1),
                default=0,
                output_field=models.IntegerField(),
            )
            for term in terms
        ),
        models.Value(0, output_field=models.IntegerField()),
    )
    entries = SearchEntry.objects.filter(
        holds_any,
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=within.values("pk"),
    )
    return list(entries.annotate(score=score).order_by("-score", "title_key", "id")[:limit])


@dataclass(frozen=True)
class Result:
    title: str
    subtitle: str
    url: str
    kind: str  # the record's model name: contact, company, …
    kind_label: str


def search(user: Actor, query: str, limit: int = 20) -> list[Result]:
    """What `user` may see that matches `query`, best first: the one search function
    behind the palette, the results page and list filters."""
    from clientela.core import records

    candidates = best_entries(query, limit * 3)
    allowed: set[tuple[int, int]] = set()
    by_type: dict[int, list[int]] = {}
    for entry in candidates:
        by_type.setdefault(entry.content_type_id, []).append(entry.object_id)
    for content_type_id, ids in by_type.items():
        model = model_of(ContentType.objects.get_for_id(content_type_id))
        rows = VISIBLE[model](user) if model in VISIBLE else records.visible(user, model)
        visible = rows.filter(pk__in=ids).values_list("pk", flat=True)
        allowed.update((content_type_id, pk) for pk in visible)
    results = []
    for entry in candidates:
        if (entry.content_type_id, entry.object_id) not in allowed:
            continue
        model = model_of(entry.content_type)
        results.append(
            Result(
                title=entry.title,
                subtitle=entry.subtitle,
                # Every record type has a page; Model itself declares no get_absolute_url.
                url=model(pk=entry.object_id).get_absolute_url(),  # type: ignore[attr-defined]
                kind=model_name(model),
                kind_label=str(model._meta.verbose_name).capitalize(),
            )
        )
        if len(results) == limit:
            break
    return results
