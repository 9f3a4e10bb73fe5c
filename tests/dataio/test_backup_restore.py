"""Backup and restore: a round trip gives back every row and file; bad archives change nothing."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from clientela.dataio.backups import backup, history, tables
from clientela.dataio.models import Backup
from clientela.users.models import User
from tests.dataio.conftest import UPLOAD_BYTES, rewrite_archive


def current_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    }


def figures(alias: str) -> dict[str, tuple[int, str]]:
    summary = tables.summarize(alias, history.schema_of(alias).models)
    return {table: (tally.rows, tally.checksum) for table, tally in summary.items()}


def test_round_trip_gives_back_every_table_and_file(populated, fresh_database, tmp_path):
    before = figures("default")
    record = backup.create_backup()

    assert Path(record.path).parent == Path(backup.settings.BACKUP_DIR)
    assert backup.ARCHIVE_NAME.match(Path(record.path).name)
    assert record.size == Path(record.path).stat().st_size and record.error == ""
    restored_uploads = tmp_path / "restored" / "uploads"

    result = backup.restore_backup(
        Path(record.path), alias=fresh_database, media_root=restored_uploads
    )

    after = figures(fresh_database)
    assert set(after) == current_tables()
    assert after == before
    assert before["users_user"][0] == User.objects.count() >= 8
    assert result.comparison.ok and result.migrated_forward == []
    assert (restored_uploads / "contracts/2026/oferta.pdf").read_bytes() == UPLOAD_BYTES
    assert result.files == 1
    # The people can log in to the restored installation with their own passwords.
    ioana = User.objects.using(fresh_database).get(email="ioana.dumitrescu@firma.ro")
    assert ioana.check_password("Corect-cal-baterie-9") and ioana.is_superuser


def test_the_manifest_describes_versions_tables_and_files(populated):
    record = backup.create_backup()
    with backup.unpacked(Path(record.path), Path(record.path).parent) as (_folder, manifest):
        pass

    assert manifest["clientela_version"] and manifest["django_version"]
    assert manifest["database"]["vendor"] == connection.vendor
    assert ["users", "0001_initial"] in manifest["migrations"]
    assert {entry["table"] for entry in manifest["tables"]} == current_tables()
    users = next(entry for entry in manifest["tables"] if entry["table"] == "users_user")
    assert users["rows"] == User.objects.count()
    assert [entry["path"] for entry in manifest["files"]] == ["uploads/contracts/2026/oferta.pdf"]


def damaged(kind: str, good: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{kind}.tar.gz"
    if kind == "truncated":
        target.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "not an archive":
        target.write_text("id,name\n1,Ana\n")
    elif kind == "no manifest":
        rewrite_archive(good, target, lambda members: members.pop("manifest.json"))
    elif kind == "changed row":

        def change(members):
            name = "database/users_user.jsonl"
            members[name] = members[name].replace(b"Ana Popescu", b"Ana Popesc_")

        rewrite_archive(good, target, change)
    elif kind == "newer schema":

        def change(members):
            manifest = json.loads(members["manifest.json"])
            manifest["migrations"].append(["users", "0099_from_the_future"])
            members["manifest.json"] = json.dumps(manifest).encode()

        rewrite_archive(good, target, change)
    return target


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("truncated", "damaged or incomplete"),
        ("not an archive", "damaged or incomplete"),
        ("no manifest", "has no manifest"),
        ("changed row", "database/users_user.jsonl does not match its checksum"),
        ("newer schema", "newer or different version of Clientela"),
    ],
)
def test_a_bad_archive_is_refused_and_nothing_is_written(
    populated, fresh_database, tmp_path, kind, message
):
    good = Path(backup.create_backup().path)
    bad = damaged(kind, good, tmp_path)
    uploads = tmp_path / "restored" / "uploads"

    with pytest.raises(backup.BackupError, match=message):
        backup.restore_backup(bad, alias=fresh_database, media_root=uploads)

    assert tables.has_tables(fresh_database) == []
    assert not uploads.exists() or not any(uploads.iterdir())
    assert not backup.verify_archive(bad).ok


def test_an_archive_whose_content_differs_from_its_manifest_fails_verification(
    populated, fresh_database, tmp_path
):
    good = Path(backup.create_backup().path)

    def change(members):
        manifest = json.loads(members["manifest.json"])
        entry = next(t for t in manifest["tables"] if t["table"] == "users_user")
        entry["checksum"] = "0" * 64
        members["manifest.json"] = json.dumps(manifest).encode()

    bad = rewrite_archive(good, tmp_path / "tampered.tar.gz", change)

    result = backup.verify_archive(bad)
    assert not result.ok
    assert "users_user" in result.problem and "content differs" in result.problem
    assert [check.table for check in result.comparison.failed] == ["users_user"]
    with pytest.raises(backup.BackupError, match="does not match the backup: users_user"):
        backup.restore_backup(bad, alias=fresh_database, media_root=tmp_path / "up")
    assert tables.has_tables(fresh_database) == []


def rewrite_table(good: Path, target: Path, table: str, edit, *, recount: bool = False) -> Path:
    """The archive with `edit(lines)` applied to one table's rows and the manifest's file
    size and SHA-256 made to match, so only the table comparison can tell; with `recount`,
    the manifest's row count and checksum too, so only the database itself can refuse."""

    def change(members):
        name = f"database/{table}.jsonl"
        header, *lines = members[name].decode("utf-8").splitlines()
        lines = edit(lines)
        members[name] = "".join(f"{line}\n" for line in [header, *lines]).encode("utf-8")
        manifest = json.loads(members["manifest.json"])
        entry = next(t for t in manifest["tables"] if t["table"] == table)
        entry["size"] = len(members[name])
        entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
        if recount:
            tally = tables.Tally()
            for line in lines:
                tally.add(line)
            entry["rows"], entry["checksum"] = tally.rows, tally.checksum
        members["manifest.json"] = json.dumps(manifest).encode()

    return rewrite_archive(good, target, change)


def changed_row(lines):
    return [line.replace("Ana Popescu", "Ana Popesc_") for line in lines]


def missing_row(lines):
    return lines[:-1]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (changed_row, "content differs"),
        (missing_row, "rows, expected"),
    ],
)
def test_a_changed_or_missing_row_fails_verification_and_restore(
    populated, fresh_database, tmp_path, edit, problem
):
    good = Path(backup.create_backup().path)
    bad = rewrite_table(good, tmp_path / "tampered.tar.gz", "users_user", edit)

    result = backup.verify_archive(bad)

    assert not result.ok
    assert [check.table for check in result.comparison.failed] == ["users_user"]
    assert "users_user" in result.problem and problem in result.problem
    with pytest.raises(backup.BackupError, match="does not match the backup: users_user"):
        backup.restore_backup(bad, alias=fresh_database, media_root=tmp_path / "up")
    assert tables.has_tables(fresh_database) == []


def test_a_duplicate_row_fails_verification_though_the_manifest_agrees(populated, tmp_path):
    good = Path(backup.create_backup().path)

    def duplicate(lines):
        # The last permission again under a new id: the (content type, codename) unique
        # index, built on the scratch database after the rows are in, must refuse it.
        names = json.loads(header)
        row = dict(zip(names, json.loads(lines[-1]), strict=True))
        row["id"] = max(json.loads(line)[names.index("id")] for line in lines) + 1
        return [*lines, tables.row_line([row[name] for name in names])]

    with tarfile.open(good) as tar:
        header = tar.extractfile("database/auth_permission.jsonl").readline().decode()
    bad = rewrite_table(
        good, tmp_path / "duplicate.tar.gz", "auth_permission", duplicate, recount=True
    )

    result = backup.verify_archive(bad)

    assert not result.ok
    assert "UNIQUE" in result.problem or "unique" in result.problem


def test_an_older_archive_is_restored_then_migrated_forward(
    transactional_db, fresh_database, tmp_path
):
    # An installation from before the backup app and the last admin migrations existed.
    old_config = backup.config.database(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}").config
    with tables.database_alias(old_config, prefix="old") as old:
        call_command("migrate", database=old, verbosity=0)
        call_command("migrate", "dataio", "zero", database=old, verbosity=0)
        call_command("migrate", "admin", "0001", database=old, verbosity=0)
        User.objects.db_manager(old).create_user(
            "veteran@firma.ro", "Corect-cal-baterie-9", full_name="Vasile Vechi"
        )
        old_figures = figures(old)
        record = backup.create_backup(alias=old, output=tmp_path / "old.tar.gz")

    with backup.unpacked(Path(record.path), tmp_path) as (_folder, manifest):
        assert ["dataio", "0001_initial"] not in manifest["migrations"]
        assert "dataio_backup" not in {entry["table"] for entry in manifest["tables"]}

    result = backup.restore_backup(
        Path(record.path), alias=fresh_database, media_root=tmp_path / "up"
    )

    # dataio's migrations are squashed: a database without any of them gets the squash.
    assert {
        "dataio.0001_squashed_0005_suspected_duplicates",
        "admin.0002_logentry_remove_auto_add",
    } <= set(result.migrated_forward)
    assert history.recorded_migrations(fresh_database) == history.recorded_migrations("default")
    restored = figures(fresh_database)
    assert restored["dataio_backup"] == (0, tables.Tally().checksum)
    for table in ("users_user", "auth_permission", "django_content_type"):
        assert restored[table] == old_figures[table]
    veteran = User.objects.using(fresh_database).get(email="veteran@firma.ro")
    assert veteran.check_password("Corect-cal-baterie-9")


def test_an_archive_that_stops_inside_a_squash_is_restored_then_migrated_forward(
    transactional_db, fresh_database, tmp_path
):
    # An installation that stopped at tickets 0005, which this version has squashed with
    # later migrations: the restore takes the original migrations up to there.
    stop = ("tickets", "0005_satisfaction_surveys")
    old_config = backup.config.database(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}").config
    with tables.database_alias(old_config, prefix="old") as old:
        originals = MigrationLoader(connections[old], replace_migrations=False)
        squashed = set(originals.replacements)
        leaves = originals.graph.leaf_nodes()
        history.migrate_to(
            old, [key for key in leaves if key[0] != "tickets" and key not in squashed] + [stop]
        )
        User.objects.db_manager(old).create_user(
            "veteran@firma.ro", "Corect-cal-baterie-9", full_name="Vasile Vechi"
        )
        old_figures = figures(old)
        record = backup.create_backup(alias=old, output=tmp_path / "old.tar.gz")

    with backup.unpacked(Path(record.path), tmp_path) as (_folder, manifest):
        assert list(stop) in manifest["migrations"]
        assert ["tickets", "0006_ticket_message_external_id"] not in manifest["migrations"]

    result = backup.restore_backup(
        Path(record.path), alias=fresh_database, media_root=tmp_path / "up"
    )

    assert result.migrated_forward == [
        "tickets.0006_ticket_message_external_id",
        "tickets.0007_routing_by_order_status",
        "tickets.0008_surveys_after_delivery",
    ]
    assert history.recorded_migrations(fresh_database) == history.recorded_migrations("default")
    restored = figures(fresh_database)
    for table in ("users_user", "tickets_statustransition", "tickets_ticket"):
        assert restored[table] == old_figures[table]
    veteran = User.objects.using(fresh_database).get(email="veteran@firma.ro")
    assert veteran.check_password("Corect-cal-baterie-9")


def test_a_non_empty_target_is_refused_unless_forced(populated, fresh_database, tmp_path):
    backed_up = figures("default")
    archive = Path(backup.create_backup().path)
    before = figures("default")

    with pytest.raises(backup.BackupError, match="the database is not empty"):
        backup.restore_backup(archive)
    assert figures("default") == before

    uploads = tmp_path / "target-uploads"
    uploads.mkdir()
    (uploads / "keep.txt").write_text("mine")
    with pytest.raises(backup.BackupError, match=r"uploads folder .* is not empty"):
        backup.restore_backup(archive, alias=fresh_database, media_root=uploads)
    assert tables.has_tables(fresh_database) == []
    assert (uploads / "keep.txt").read_text() == "mine"

    # Forced: the target's current content goes into a safety backup, then is replaced.
    backup.restore_backup(archive, alias=fresh_database, media_root=uploads, force=True)
    assert not (uploads / "keep.txt").exists()
    result = backup.restore_backup(archive, alias=fresh_database, media_root=uploads, force=True)
    assert result.safety_backup is not None and Path(result.safety_backup.path).is_file()
    assert figures(fresh_database) == backed_up


def test_an_interrupted_backup_leaves_no_archive_behind(populated, monkeypatch):
    calls = []

    def failing_addfile(self, info, fileobj=None):
        calls.append(info.name)
        if len(calls) > 2:
            raise OSError(28, "No space left on device")
        return original(self, info, fileobj)

    original = backup.archive.tarfile.TarFile.addfile
    monkeypatch.setattr(backup.archive.tarfile.TarFile, "addfile", failing_addfile)

    with pytest.raises(backup.BackupError, match="No space left on device"):
        backup.create_backup()

    assert list(Path(backup.settings.BACKUP_DIR).iterdir()) == []
    failed = Backup.objects.get()
    assert failed.path == "" and "No space left" in failed.error
