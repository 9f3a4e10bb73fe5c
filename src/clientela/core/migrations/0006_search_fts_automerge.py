"""SQLite's FTS5 search index merges its segments once 16 of a size pile up, not 4.

Each committed write adds a small segment, and merging rewrites the doclists of the
common trigrams, which at a million entries are long: an import of 50,000 contacts into
a database of 1M went at 1,251 rows/s with the default and 1,474 with 16 (its inserts and
commits spend half as long in FTS5). Searches read a few more segments: a substring
search's database time 0.51 → 0.75 ms at 1M (docs/performance.md). PostgreSQL: nothing."""

from django.db import migrations


def automerge(schema_editor, value: int) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "INSERT INTO core_search_fts(core_search_fts, rank) VALUES ('automerge', %s)",
            [value],
        )


def forwards(apps, schema_editor):
    automerge(schema_editor, 16)


def backwards(apps, schema_editor):
    automerge(schema_editor, 4)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_trail_filters")]

    operations = [migrations.RunPython(forwards, backwards)]
