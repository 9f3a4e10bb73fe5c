"""Backup services: take, verify, restore and prune backups, and record each one."""

from __future__ import annotations

import datetime
import json
import logging
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps as django_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import clientela
from clientela import config
from clientela.core import events
from clientela.dataio.backups import archive, history, tables, workfiles
from clientela.dataio.models import Backup

log = logging.getLogger(__name__)

ARCHIVE_PREFIX = "clientela-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_NAME = re.compile(r"^clientela-backup-(\d{8}-\d{6})Z(?:-\d+)?\.tar\.gz$")
WARN_AFTER = datetime.timedelta(hours=48)


class BackupError(Exception):
    """A backup, restore or verification cannot go ahead; the message says why."""


@dataclass
class Verification:
    ok: bool
    problem: str = ""
    comparison: tables.Comparison = field(default_factory=tables.Comparison)
    files: int = 0


@dataclass
class RestoreResult:
    comparison: tables.Comparison
    files: int
    migrated_forward: list[str]
    safety_backup: Backup | None = None


# Snapshots ---------------------------------------------------------------------------
@contextmanager
def snapshot(alias: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """An alias that reads one consistent state of the database while the app keeps running.

    SQLite: the online backup API copies the committed database into a private file.
    PostgreSQL: one REPEATABLE READ transaction sees a single snapshot, as pg_dump does.
    """
    connection = connections[alias]
    if connection.vendor == "sqlite":
        with workfiles.working_folder(Path(settings.DATA_DIR), ".snapshot-") as folder:
            copy = folder / "snapshot.sqlite3"
            source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            with tables.database_alias(config.database(folder, f"sqlite:///{copy}").config) as name:
                yield name
        return
    if connection.vendor == "postgresql":
        from psycopg import IsolationLevel

        copied = dict(connection.settings_dict)
        copied["OPTIONS"] = {
            **copied.get("OPTIONS", {}),
            "isolation_level": IsolationLevel.REPEATABLE_READ,
        }
        copied["CONN_MAX_AGE"] = 0
        with tables.database_alias(copied) as name, transaction.atomic(using=name):
            with connections[name].cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
            yield name
        return
    raise BackupError(
        _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": connection.vendor}
    )


# Taking a backup ---------------------------------------------------------------------
def default_archive_path(now: datetime.datetime | None = None) -> Path:
    now = (now or timezone.now()).astimezone(datetime.UTC)
    stem = f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S}Z"
    path = Path(settings.BACKUP_DIR) / f"{stem}{ARCHIVE_SUFFIX}"
    counter = 1
    while path.exists():
        counter += 1
        path = Path(settings.BACKUP_DIR) / f"{stem}-{counter}{ARCHIVE_SUFFIX}"
    return path


def write_archive(output: Path, alias: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """Write a complete backup archive to `output`; returns its size and SHA-256."""
    with workfiles.working_folder(Path(settings.DATA_DIR), ".backup-") as staging:
        with snapshot(alias) as source:
            schema = history.schema_of(source)
            vendor = connections[source].vendor
            skipped = tables.uncovered_tables(source, schema)
            table_entries, members = dump_tables(source, schema, staging)
        file_entries, file_members = upload_members()
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "clientela_version": clientela.__version__,
            "django_version": django.get_version(),
            "python_version": sys.version.split()[0],
            "database": {
                "vendor": vendor,
                "snapshot": "sqlite online backup" if vendor == "sqlite" else "repeatable read",
                "not_copied": skipped,
            },
            "migrations": [list(key) for key in schema.migrations],
            "tables": table_entries,
            "files": file_entries,
        }
        return archive.write(output, manifest, members + file_members)


def dump_tables(alias: str, schema: tables.Schema, staging: Path) -> tuple[list[dict], list]:
    entries, members = [], []
    for model in schema.models:
        table = model._meta.db_table
        name = f"{archive.DATABASE_DIR}/{table}.jsonl"
        path = staging / f"{table}.jsonl"
        tally = tables.Tally()
        names = [f.attname for f in tables.columns(model)]
        with path.open("w", encoding="utf-8") as out:
            out.write(json.dumps(names) + "\n")
            for lines in tables.line_batches(model, alias):
                tally.add_all(lines)
                out.write("\n".join(lines))
                out.write("\n")
        member = archive.member_for(name, path)
        members.append(member)
        entries.append(
            {
                "table": table,
                "model": model._meta.label_lower,
                "file": name,
                "rows": tally.rows,
                "checksum": tally.checksum,
                "size": member.size,
                "sha256": member.sha256,
            }
        )
    return entries, members


def upload_members() -> tuple[list[dict], list]:
    root = Path(settings.MEDIA_ROOT)
    entries: list[dict] = []
    members: list = []
    if not root.is_dir():
        return entries, members
    for path in sorted(root.rglob("*")):
        # Symbolic links may point outside the data folder: they are not the business's files.
        if path.is_symlink() or not path.is_file():
            continue
        name = f"{archive.UPLOADS_DIR}/{path.relative_to(root).as_posix()}"
        member = archive.member_for(name, path)
        members.append(member)
        entries.append({"path": name, "size": member.size, "sha256": member.sha256})
    return entries, members


def create_backup(
    *,
    output: Path | None = None,
    alias: str = DEFAULT_DB_ALIAS,
    kind: str = Backup.Kind.MANUAL,
    user=None,
) -> Backup:
    """Take a backup and record it; a failure is recorded too, then raised as BackupError.
    Working copies left by a backup killed earlier are removed first."""
    workfiles.clean_leftovers()
    path = Path(output).expanduser().resolve() if output else default_archive_path()
    if path.exists():
        raise BackupError(_("%(path)s already exists; choose another name.") % {"path": path})
    started = time.monotonic()
    record = Backup(kind=kind, created_by=user, created_at=timezone.now())
    try:
        size, checksum = write_archive(path, alias)
    except (OSError, DatabaseError, tables.DataError, archive.ArchiveError, BackupError) as error:
        record.error = str(error)
        record.seconds = time.monotonic() - started
        save_record(record)
        log.exception("Backup to %s failed", path)
        raise BackupError(_("The backup failed: %(error)s") % {"error": error}) from error
    record.path, record.size, record.checksum = str(path), size, checksum
    record.seconds = time.monotonic() - started
    save_record(record)
    log.info("Backup written to %s (%s bytes)", path, size)
    return record


def save_record(record: Backup) -> Backup:
    # Backup records live in the default database, whichever database was backed up.
    record.save(using=DEFAULT_DB_ALIAS)
    return record


# Reading an archive ------------------------------------------------------------------
@contextmanager
def unpacked(path: Path, near: Path) -> Iterator[tuple[Path, dict]]:
    """The archive checked and unpacked into a private folder next to `near`."""
    with workfiles.working_folder(near, ".restore-") as folder:
        try:
            manifest = archive.extract(Path(path), folder)
        except archive.ArchiveError as error:
            raise BackupError(str(error)) from None
        yield folder, manifest


def expected_tables(manifest: dict) -> dict[str, tuple[int, str]]:
    return {entry["table"]: (entry["rows"], entry["checksum"]) for entry in manifest["tables"]}


def table_files(folder: Path, manifest: dict) -> Callable:
    """A source for tables.load_tables reading the unpacked table files."""
    files = {
        entry["table"]: folder.joinpath(*entry["file"].split("/")) for entry in manifest["tables"]
    }

    def source(model) -> tuple[list[str], Iterator[str]]:
        path = files.get(model._meta.db_table)
        if path is None:
            raise BackupError(
                _("The archive has no data for table %(table)s.") % {"table": model._meta.db_table}
            )
        handle = path.open(encoding="utf-8")
        try:
            names = json.loads(handle.readline())
        except ValueError:
            handle.close()
            raise BackupError(
                _("The archive's file for %(table)s is damaged.") % {"table": model._meta.db_table}
            ) from None

        def lines():
            with handle:
                for line in handle:
                    yield line.rstrip("\n")

        return names, lines()

    return source


def load_archive(
    alias: str, folder: Path, manifest: dict, *, scratch: bool = False
) -> tables.Comparison:
    """Create the archive's schema in an empty database and load its rows into it.

    A `scratch` database, thrown away after the comparison, gets only the tables, built
    from the models at the archive's migrations rather than by running them (which costs
    a fixed half minute on a slow machine); a restored one is migrated, as it will be used.
    """
    try:
        schema = history.schema_for(alias, manifest["migrations"])
    except tables.DataError as error:
        raise BackupError(str(error)) from None
    unknown = set(expected_tables(manifest)) - {m._meta.db_table for m in schema.models}
    if unknown:
        raise BackupError(
            _("The archive holds tables its migrations do not describe: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    indexes = []
    if scratch:
        indexes = tables.create_tables(alias, schema)
    else:
        history.migrate_to(alias, schema.targets)
    try:
        return tables.load_tables(
            alias, schema, table_files(folder, manifest), expected_tables(manifest), indexes=indexes
        )
    except tables.DataError as error:
        raise BackupError(str(error)) from None


def describe_failure(comparison: tables.Comparison) -> str:
    parts = [
        _("%(table)s: %(rows)s rows, expected %(expected)s%(checksum)s")
        % {
            "table": check.table,
            "rows": check.rows,
            "expected": check.expected_rows,
            "checksum": "" if check.checksum == check.expected_checksum else _(", content differs"),
        }
        for check in comparison.failed
    ]
    return _("The restored data does not match the backup: %(tables)s.") % {
        "tables": "; ".join(parts)
    }


# Verification ------------------------------------------------------------------------
def verify_archive(path: Path) -> Verification:
    """Restore the archive into a temporary database and compare every table with the manifest."""
    try:
        with unpacked(Path(path), Path(settings.DATA_DIR)) as (folder, manifest):
            database = config.database(folder, f"sqlite:///{folder / 'verify.sqlite3'}").config
            database["OPTIONS"]["init_command"] = ";".join(config.SCRATCH_SQLITE_PRAGMAS)
            with tables.database_alias(database, prefix="verify") as alias:
                comparison = load_archive(alias, folder, manifest, scratch=True)
    except BackupError as error:
        return Verification(ok=False, problem=str(error))
    except Exception as error:  # a database refusing the rows is a failed verification too
        log.exception("Verifying %s failed", path)
        return Verification(
            ok=False, problem=_("The backup could not be restored: %(error)s") % {"error": error}
        )
    problem = "" if comparison.ok else describe_failure(comparison)
    return Verification(
        ok=comparison.ok, problem=problem, comparison=comparison, files=len(manifest["files"])
    )


def verify_backup(record: Backup) -> Verification:
    """Verify a recorded backup and write the result into its record."""
    result = verify_archive(Path(record.path))
    record.verified = result.ok
    record.verified_at = timezone.now()
    record.error = result.problem
    save_record(record)
    return result


# Restore -----------------------------------------------------------------------------
def target_problems(alias: str, media_root: Path) -> list[str]:
    problems = []
    existing = tables.has_tables(alias)
    if existing:
        problems.append(
            _("the database is not empty (it has %(count)s tables)") % {"count": len(existing)}
        )
    if media_root.is_dir() and any(media_root.iterdir()):
        problems.append(_("the uploads folder %(path)s is not empty") % {"path": media_root})
    return problems


def restore_backup(
    path: Path,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    media_root: Path | None = None,
    force: bool = False,
) -> RestoreResult:
    """Restore an archive into an empty database and uploads folder, then migrate it forward.

    With force, the current data is first saved in a safety backup, then replaced.
    Nothing is written before the archive has been checked completely.
    """
    media_root = Path(media_root or settings.MEDIA_ROOT)
    problems = target_problems(alias, media_root)
    if problems and not force:
        raise BackupError(
            _(
                "Restore only goes into an empty installation, and %(problems)s. Restore into a "
                "new data folder or an empty database, or replace everything with --force --yes."
            )
            % {"problems": _(" and ").join(problems)}
        )
    with unpacked(Path(path), media_root.parent) as (folder, manifest):
        try:
            history.schema_for(alias, manifest["migrations"])
        except tables.DataError as error:
            raise BackupError(str(error)) from None
        safety = None
        if problems:
            safety = (
                create_backup(alias=alias, kind=Backup.Kind.SAFETY)
                if tables.has_tables(alias)
                else None
            )
            tables.drop_all_tables(alias)
            empty_folder(media_root)
        try:
            comparison = load_archive(alias, folder, manifest)
            if not comparison.ok:
                raise BackupError(describe_failure(comparison))
        except BaseException:
            tables.drop_all_tables(alias)
            raise
        moved = move_uploads(folder / archive.UPLOADS_DIR, media_root)
    forward = history.migrate_forward(alias)
    # Every table was written without the audit trail: caches of them are forgotten.
    events.written(django_apps.get_models())
    return RestoreResult(
        comparison=comparison, files=moved, migrated_forward=forward, safety_backup=safety
    )


def empty_folder(folder: Path) -> None:
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def move_uploads(source: Path, media_root: Path) -> int:
    media_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not source.is_dir():
        return 0
    count = sum(1 for path in source.rglob("*") if path.is_file())
    for entry in source.iterdir():
        # Same file system (unpacked next to the uploads folder): a rename, not a copy.
        entry.rename(media_root / entry.name)
    return count


# Retention ---------------------------------------------------------------------------
def archive_time(path: Path) -> datetime.datetime | None:
    match = ARCHIVE_NAME.match(path.name)
    if not match:
        return None
    return datetime.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=datetime.UTC)


def archives_in(folder: Path | None = None) -> list[tuple[Path, datetime.datetime]]:
    """Clientela's own archives in the backups folder, newest first."""
    folder = Path(folder or settings.BACKUP_DIR)
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            when = archive_time(path)
            if when is not None and path.is_file():
                found.append((path, when))
    return sorted(found, key=lambda item: (item[1], item[0].name), reverse=True)


def kept_archives(
    found: list[tuple[Path, datetime.datetime]], daily: int, weekly: int
) -> set[Path]:
    """The newest archive of each of the last `daily` days and `weekly` ISO weeks that have one."""
    keep: set[Path] = set()
    for count, period in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2])):
        seen: list[object] = []
        for path, when in found:  # newest first, so the first of a period is its newest
            key = period(when)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(path)
    return keep


def prune_backups(*, keep_daily: int | None = None, keep_weekly: int | None = None) -> list[Path]:
    """Delete the archives that retention does not keep; returns the deleted paths."""
    daily = settings.CLIENTELA_BACKUP_KEEP_DAILY if keep_daily is None else keep_daily
    weekly = settings.CLIENTELA_BACKUP_KEEP_WEEKLY if keep_weekly is None else keep_weekly
    found = archives_in()
    keep = kept_archives(found, daily, weekly)
    if found:
        keep.add(found[0][0])  # whatever the settings, the newest backup stays
    deleted = []
    for path, _when in found:
        if path in keep:
            continue
        path.unlink(missing_ok=True)
        Backup.objects.filter(path=str(path)).delete()
        deleted.append(path)
        log.info("Pruned backup %s", path)
    return deleted


# The daily job -----------------------------------------------------------------------
def run_scheduled_backup() -> Backup:
    """Back up, verify, and prune old archives only when the new one verified."""
    record = create_backup(kind=Backup.Kind.SCHEDULED)
    result = verify_backup(record)
    if not result.ok:
        raise BackupError(
            _("The new backup failed verification: %(problem)s") % {"problem": result.problem}
        )
    prune_backups()
    return record
