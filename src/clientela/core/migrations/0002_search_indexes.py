"""Substring search on SearchEntry.text: a trigram GIN index on PostgreSQL, an FTS5
trigram table kept in step by triggers on SQLite."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE core_search_fts USING fts5(
        text, content='core_searchentry', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER core_search_ai AFTER INSERT ON core_searchentry BEGIN
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER core_search_ad AFTER DELETE ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER core_search_au AFTER UPDATE OF text ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_search_au",
    "DROP TRIGGER IF EXISTS core_search_ad",
    "DROP TRIGGER IF EXISTS core_search_ai",
    "DROP TABLE IF EXISTS core_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX core_search_text_trgm ON core_searchentry USING gin (text gin_trgm_ops)",
    "CREATE INDEX core_search_title_trgm ON core_searchentry "
    "USING btree (title_key varchar_pattern_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_search_title_trgm",
    "DROP INDEX IF EXISTS core_search_text_trgm",
]


def run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD})


def backwards(apps, schema_editor):
    run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
