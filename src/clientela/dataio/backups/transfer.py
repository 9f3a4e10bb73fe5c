"""Transfer service: copy an installation's database into another, empty one (desktop to server)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.utils.translation import gettext as _

from clientela import config
from clientela.dataio.backups import history, tables
from clientela.dataio.backups.backup import BackupError, describe_failure, snapshot


@dataclass
class TransferResult:
    comparison: tables.Comparison
    migrated_forward: list[str]


def target_settings(url: str) -> Mapping[str, object]:
    try:
        return config.database(Path(settings.DATA_DIR), url).config
    except config.ConfigurationError as error:
        raise BackupError(
            _("The target is not a usable database address: %(error)s") % {"error": error}
        ) from None


def transfer(
    url: str,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str, int], None] | None = None,
) -> TransferResult:
    """Copy every table of `alias` into the empty database at `url` and check the copy.

    The target is migrated to the source's migrations, filled table by table in foreign
    key order in batches, its sequences reset, and every table compared (rows and
    content checksum) with the source. On any failure the target is left empty.
    """
    with tables.database_alias(target_settings(url), prefix="target") as target:
        try:
            existing = tables.has_tables(target)
        except DatabaseError as error:
            raise BackupError(
                _("The target database cannot be reached: %(error)s") % {"error": error}
            ) from None
        if existing:
            raise BackupError(
                _(
                    "The target database is not empty (it has %(count)s tables). Transfer only "
                    "into a new, empty database."
                )
                % {"count": len(existing)}
            )
        with snapshot(alias) as source:
            source_schema = history.schema_of(source)
            schema = history.schema_for(target, source_schema.migrations)
            source_models = {model._meta.db_table: model for model in source_schema.models}

            def rows_of(model):
                original = source_models[model._meta.db_table]
                return [f.attname for f in tables.columns(original)], tables.read_lines(
                    original, source
                )

            history.migrate_to(target, schema.targets)
            try:
                # The source is read twice: once to copy, once to count; both reads see
                # the same snapshot, so the expected figures are the source's own.
                expected = {
                    table: (tally.rows, tally.checksum)
                    for table, tally in tables.summarize(source, source_schema.models).items()
                }
                comparison = tables.load_tables(target, schema, rows_of, expected, progress)
                if not comparison.ok:
                    raise BackupError(describe_failure(comparison))
            except BaseException:
                tables.drop_all_tables(target)
                raise
        forward = history.migrate_forward(target)
    return TransferResult(comparison=comparison, migrated_forward=forward)
