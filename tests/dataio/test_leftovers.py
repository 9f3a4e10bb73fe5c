"""What a process killed with kill -9 leaves behind is tidied on the next start or backup:
a backup's working copies in the data folder (never those of a backup still running), and
an import left "running", marked stopped with a message, still resumable and undoable."""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientela.customers.models import Contact
from clientela.dataio.backups import backup, workfiles
from clientela.dataio.importing import services
from clientela.dataio.models import ImportRun
from clientela.jobs.interface import periodic_jobs
from clientela.users.services import create_user
from tests.conftest import ROOT
from tests.dataio.importing_helpers import csv_bytes, import_file

MB = 1024 * 1024


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "uploads"
    settings.BACKUP_DIR = settings.DATA_DIR / "backups"
    settings.IMPORT_DIR = settings.DATA_DIR / "imports"
    for folder in (settings.MEDIA_ROOT, settings.BACKUP_DIR):
        folder.mkdir(parents=True)
    return settings.DATA_DIR


def _age(path: Path, seconds: int = 600) -> Path:
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def _killed_backup_copies(data_dir: Path, backups: Path) -> list[Path]:
    """What a backup killed while dumping tables and writing its archive leaves."""
    staging = data_dir / ".backup-k1ll3d"
    staging.mkdir()
    (staging / "customers_contact.jsonl").write_bytes(b"x" * MB)
    (staging / workfiles.LOCK_NAME).touch()  # its lock died with it
    snapshot = data_dir / ".snapshot-k1ll3d"
    snapshot.mkdir()
    (snapshot / "snapshot.sqlite3").write_bytes(b"y" * MB)
    part = backups / ".clientela-backup-20261206-101500Z.tar.gz.a1b2c3.part"
    part.write_bytes(b"z" * MB)
    return [_age(staging), _age(snapshot), _age(part)]


def test_a_backup_killed_with_kill_9_leaves_copies_that_the_next_cleaning_removes(data_dir):
    # A real process takes a working folder as a backup does, and is killed mid-way.
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from clientela.dataio.backups.workfiles import working_folder\n"
        "with working_folder(Path(sys.argv[1]), '.backup-') as folder:\n"
        "    (folder / 'customers_contact.jsonl').write_bytes(b'x' * 1024)\n"
        "    print(folder, flush=True)\n"
        "    time.sleep(120)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        folder = Path(child.stdout.readline().strip())
        assert folder.is_dir()
        _age(folder)
        # Still running, however old it looks: its lock is held, so it stays.
        assert workfiles.clean_leftovers() == []
        assert folder.is_dir()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
        child.stdout.close()
    assert folder.is_dir()  # kill -9: nothing of its own clean-up ran
    assert workfiles.clean_leftovers() == [folder]
    assert not folder.exists()


def test_only_stale_copies_go_not_those_of_a_backup_still_running(data_dir, settings):
    stale = _killed_backup_copies(data_dir, Path(settings.BACKUP_DIR))
    just_made = data_dir / ".restore-n3w"  # a minute has not passed: may be starting up
    just_made.mkdir()
    kept_archive = Path(settings.BACKUP_DIR) / "clientela-backup-20261206-101500Z.tar.gz"
    kept_archive.write_bytes(b"archive")
    _age(kept_archive)
    with workfiles.working_folder(data_dir, ".backup-") as running:
        _age(running)
        removed = workfiles.clean_leftovers()
        assert sorted(removed) == sorted(stale)
        assert running.is_dir() and just_made.is_dir() and kept_archive.is_file()
    assert not running.exists()  # and the running backup removed its own on the way out


@pytest.mark.django_db(transaction=True)
def test_the_next_backup_removes_what_the_killed_one_left(data_dir, settings):
    stale = _killed_backup_copies(data_dir, Path(settings.BACKUP_DIR))
    record = backup.create_backup()
    assert Path(record.path).is_file() and record.error == ""
    assert not any(path.exists() for path in stale)
    # Nothing of the new backup's own working copies remains either.
    assert not [p.name for p in data_dir.iterdir() if p.name.startswith(".")]


# Imports ----------------------------------------------------------------------------------
@pytest.fixture
def admin(db, data_dir):
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


def _killed_mid_run(admin, settings) -> ImportRun:
    """An import that stored its first batch, then its process was killed: left running,
    its last beat long ago."""
    settings.IMPORT_BATCH_ROWS = 2
    rows = [["Name", "Email"]] + [[f"Om {n}", f"om{n}@firma.ro"] for n in range(4)]
    run = import_file(admin, csv_bytes(rows))  # the whole file, then rewound to batch one
    ImportRun.objects.filter(pk=run.pk).update(
        status="running",
        beat_at=timezone.now() - datetime.timedelta(minutes=10),
        last_row=3,
        rows_done=2,
        finished_at=None,
    )
    run.refresh_from_db()
    return run


def test_an_import_left_running_is_marked_stopped_and_stays_undoable(admin, client, settings):
    run = _killed_mid_run(admin, settings)
    alive = ImportRun.objects.create(
        created_by=admin,
        record_type="contact",
        file_name="alive.csv",
        path="/nowhere",
        status="running",
        beat_at=timezone.now(),
    )

    assert services.stop_abandoned() == 1
    run.refresh_from_db()
    assert run.status == "stopped"
    assert "stopped after row 3" in run.error
    alive.refresh_from_db()
    assert alive.status == "running"  # it committed a batch a moment ago

    client.force_login(admin)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Stopped" in page and "stopped after row 3" in page
    assert "Resume" in page and "Undo this import" in page
    assert 'hx-trigger="every 1s"' not in page  # nothing left to follow

    client.post(f"/imports/{run.pk}/undo/")
    run.refresh_from_db()
    assert run.status == "undoing"
    services.undo(actor=admin, run=run)  # what the worker does
    assert not Contact.objects.filter(deleted_at__isnull=True).exists()


def test_a_stopped_import_resumes_after_its_last_batch(admin, settings):
    run = _killed_mid_run(admin, settings)
    services.stop_abandoned()
    services.resume(actor=admin, run=ImportRun.objects.get(pk=run.pk))
    run = services.execute(run.pk)  # what the worker does
    assert (run.status, run.rows_done) == ("done", 4)
    assert Contact.objects.count() == 4  # nothing twice


def test_the_next_start_tidies_both(admin, settings, monkeypatch):
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "Munte-Albastru-2026")
    run = _killed_mid_run(admin, settings)
    stale = _killed_backup_copies(settings.DATA_DIR, Path(settings.BACKUP_DIR))

    call_command("run", "--no-serve", stdout=io.StringIO())

    run.refresh_from_db()
    assert run.status == "stopped"
    assert not any(path.exists() for path in stale)


def test_a_periodic_job_tidies_while_the_workers_keep_running():
    assert "clientela.dataio.tasks.tidy_after_stopped_work" in {job.name for job in periodic_jobs()}


def test_a_worker_start_tidies_too(admin, settings):
    from clientela.core import startup

    run = _killed_mid_run(admin, settings)
    stale = _killed_backup_copies(settings.DATA_DIR, Path(settings.BACKUP_DIR))
    lines = startup.run_all()  # what `clientela worker` does before taking jobs
    run.refresh_from_db()
    assert run.status == "stopped"
    assert not any(path.exists() for path in stale)
    assert lines == [
        "Removed 3 working copies of a backup that was stopped.",
        "1 import(s) stopped before finishing: resume or undo them on the Import page.",
    ]
