"""Verification after every backup, the daily job, and which old archives retention keeps."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from clientela import config
from clientela.dataio.backups import backup, history, tables
from clientela.dataio.models import Backup
from tests.conftest import run_clientela
from tests.dataio.test_backup_restore import current_tables


def test_verification_restores_every_table_and_records_the_result(populated):
    record = backup.create_backup()

    result = backup.verify_backup(record)

    assert result.ok and result.problem == "" and result.files == 1
    assert {check.table for check in result.comparison.checks} == current_tables()
    record.refresh_from_db()
    assert record.verified is True and record.verified_at is not None and record.error == ""


def test_a_missing_archive_fails_verification_in_words(populated):
    record = backup.create_backup()
    Path(record.path).unlink()

    result = backup.verify_backup(record)

    assert not result.ok and "There is no backup archive at" in result.problem
    record.refresh_from_db()
    assert record.verified is False and "There is no backup archive" in record.error


def table_shapes(alias: str, table_names) -> dict:
    """Each table's columns, foreign keys and unique indexes, as SQLite describes them."""
    shapes = {}
    with connections[alias].cursor() as cursor:
        for table in sorted(table_names):
            cursor.execute(f'PRAGMA table_info("{table}")')
            columns = sorted(row[1:] for row in cursor.fetchall())  # by name, in any order
            cursor.execute(f'PRAGMA foreign_key_list("{table}")')
            keys = sorted((row[2], row[3], row[4]) for row in cursor.fetchall())
            cursor.execute(f'PRAGMA index_list("{table}")')
            unique = []
            for _seq, name, is_unique, _origin, partial in cursor.fetchall():
                cursor.execute(f'PRAGMA index_info("{name}")')
                names = tuple(row[2] for row in sorted(cursor.fetchall()))
                if is_unique:
                    unique.append((names, partial))
            shapes[table] = (columns, keys, sorted(unique))
    return shapes


def test_the_scratch_database_has_the_tables_migrations_build(transactional_db, tmp_path):
    # Verification builds its throwaway tables from the models in one step; a restore
    # migrates. Both must refuse and keep the same rows, so their tables must agree.
    def sqlite(name):
        url = f"sqlite:///{tmp_path / name}"
        return tables.database_alias(config.database(tmp_path, url).config, prefix=name)

    with sqlite("migrated") as migrated, sqlite("scratch") as scratch:
        every = MigrationLoader(connections[migrated]).graph.nodes
        schema = history.schema_for(migrated, every)
        history.migrate_to(migrated, schema.targets)
        indexes = tables.create_tables(scratch, schema)
        with connections[scratch].cursor() as cursor:
            for statement in indexes:
                cursor.execute(statement)
        copied = {model._meta.db_table for model in schema.models}

        assert set(tables.has_tables(scratch)) == copied
        assert table_shapes(scratch, copied) == table_shapes(migrated, copied)


def test_migrating_another_database_seeds_it_and_leaves_this_one_alone(transactional_db, tmp_path):
    # A restore or transfer migrates a database beside the running one: the default rows
    # the migrations seed (lifecycle stages, order stages, SLA policies) go into it, and
    # a stage the business deleted here does not come back.
    from clientela.customers.models import LifecycleStage
    from clientela.tickets.models import SlaPolicy

    LifecycleStage.objects.filter(key="former-customer").delete()
    SlaPolicy.objects.all().delete()
    url = f"sqlite:///{tmp_path / 'other'}"
    with tables.database_alias(config.database(tmp_path, url).config, prefix="other") as other:
        every = MigrationLoader(connections[other]).graph.nodes
        history.migrate_to(other, history.schema_for(other, every).targets)

        seeded = set(LifecycleStage.objects.using(other).values_list("key", flat=True))
        assert {"lead", "prospect", "customer", "former-customer"} <= seeded
        assert SlaPolicy.objects.using(other).exists()
    assert not LifecycleStage.objects.filter(key="former-customer").exists()
    assert not SlaPolicy.objects.exists()


def archive_at(folder: Path, when: datetime.datetime) -> Path:
    path = folder / f"clientela-backup-{when:%Y%m%d-%H%M%S}Z.tar.gz"
    path.write_bytes(b"archive")
    return path


def test_retention_keeps_the_newest_of_each_recent_day_and_week(private_folders, db):
    folder = Path(private_folders.BACKUP_DIR)
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # a Monday
    made = {}
    for day in range(42):  # six weeks of two backups a day
        for hour in (1, 13):
            when = start + datetime.timedelta(days=day, hours=hour - 1)
            made[when] = archive_at(folder, when)
    (folder / "notes.txt").write_text("not an archive: never touched")

    deleted = backup.prune_backups(keep_daily=7, keep_weekly=4)

    kept = {when for when, path in made.items() if path.exists()}
    last_day = start + datetime.timedelta(days=41, hours=12)
    daily = {last_day - datetime.timedelta(days=n) for n in range(7)}
    # The newest of each of the last four ISO weeks: their Sundays at 13:00.
    assert last_day == datetime.datetime(2026, 4, 12, 13, tzinfo=datetime.UTC)
    weekly = {
        datetime.datetime(2026, month, day, 13, tzinfo=datetime.UTC)
        for month, day in ((4, 12), (4, 5), (3, 29), (3, 22))
    }
    assert kept == daily | weekly
    assert len(deleted) == len(made) - len(kept)
    assert (folder / "notes.txt").exists()


def test_the_scheduled_job_backs_up_verifies_and_prunes(populated, settings):
    settings.CLIENTELA_BACKUP_KEEP_DAILY = 1
    settings.CLIENTELA_BACKUP_KEEP_WEEKLY = 0
    old = archive_at(Path(settings.BACKUP_DIR), datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    record = backup.run_scheduled_backup()

    record.refresh_from_db()
    assert record.kind == Backup.Kind.SCHEDULED and record.verified is True
    assert Path(record.path).is_file()
    assert not old.exists()


def test_the_scheduled_job_keeps_old_archives_when_verification_fails(
    populated, settings, monkeypatch
):
    old = archive_at(Path(settings.BACKUP_DIR), datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    monkeypatch.setattr(
        backup, "verify_archive", lambda path: backup.Verification(ok=False, problem="broken disk")
    )

    with pytest.raises(backup.BackupError, match="failed verification: broken disk"):
        backup.run_scheduled_backup()

    assert old.exists()
    assert Backup.objects.get().verified is False


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the command-line round trip uses a desktop data folder; the SQLite run covers it",
)
def test_the_commands_round_trip_a_desktop_installation(tmp_path):
    source, target = tmp_path / "office", tmp_path / "new-laptop"
    assert run_clientela(source, "migrate", "-v0").returncode == 0
    assert run_clientela(source, "demo").returncode == 0
    (source / "uploads" / "scan.bin").write_bytes(b"\x00\xffscan" * 1000)
    archive = tmp_path / "office.tar.gz"

    made = run_clientela(source, "backup", "--output", str(archive), "--verify")
    assert made.returncode == 0, made.stderr
    assert f"Backup written to {archive}" in made.stdout and "Verified:" in made.stdout

    restored = run_clientela(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "users_user" in restored.stdout and "Restore complete." in restored.stdout
    assert (target / "uploads" / "scan.bin").read_bytes() == b"\x00\xffscan" * 1000

    again = run_clientela(target, "restore", str(archive))
    assert again.returncode == 1
    assert "the database is not empty" in again.stderr and "Traceback" not in again.stderr

    (tmp_path / "broken.tar.gz").write_bytes(archive.read_bytes()[:500])
    broken = run_clientela(tmp_path / "other", "verify-backup", str(tmp_path / "broken.tar.gz"))
    assert broken.returncode == 1
    assert "damaged or incomplete" in broken.stderr and "Traceback" not in broken.stderr
