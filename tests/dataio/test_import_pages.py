"""The Import pages through the web client: upload, map, preview, start, follow, undo;
and the command line, including a run killed mid-way and resumed."""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.core.models import AuditEntry
from clientela.customers.models import Contact
from clientela.dataio.importing import services
from clientela.dataio.models import ImportRun, MappingTemplate
from clientela.users.services import create_user, role_named
from tests.conftest import ROOT, clientela_env, run_clientela
from tests.dataio.importing_helpers import csv_bytes
from tests.jobs.conftest import test_database_url, wait_for

ROWS = [
    ["Nume", "Prenume", "Adresă de email", "Telefon", "Observații"],
    ["Popa", "Radu", "radu@popa.ro", "0722 000 001", "Client vechi"],
    ["Ene", "Dana", "dana@ene", "", ""],
]


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


def upload(client, data: bytes, name="oameni.csv", record_type="contact"):
    return client.post(
        "/imports/",
        {"record_type": record_type, "file": SimpleUploadedFile(name, data)},
    )


def test_upload_map_preview_start_and_follow(client, admin):
    client.force_login(admin)
    response = upload(client, csv_bytes(ROWS))
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/"
    services.check_upload(run.pk)  # what the worker does: reads the whole file within bounds
    page = client.get(f"/imports/{run.pk}/").content.decode()
    # Romanian headers mapped by themselves; the preview shows the stored phone and the
    # broken e-mail with its reason.
    assert 'value="family_name" selected' in page and 'value="given_name" selected' in page
    assert "+40722000001" in page
    assert "dana@ene" in page and "Rejected" in page
    # Changing a column refreshes the preview fragment.
    fragment = client.post(
        f"/imports/{run.pk}/",
        {
            "action": "preview",
            "col_0": "",
            "col_1": "full_name",
            "col_2": "email",
            "col_3": "phone",
            "col_4": "note",
            "duplicate_mode": "skip",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert fragment.lstrip().startswith(
        '<section class="card card--flush section-top" id="import-preview"'
    )
    assert '<td class="table__wrap">Radu</td>' in fragment
    # Save the mapping, then start.
    columns = {
        "col_0": "family_name",
        "col_1": "given_name",
        "col_2": "email",
        "col_3": "phone",
        "col_4": "note",
        "duplicate_mode": "update",
    }
    client.post(
        f"/imports/{run.pk}/", {**columns, "action": "save", "template_name": "Agenda veche"}
    )
    assert MappingTemplate.objects.get().mapping["Adresă de email"] == "email"
    response = client.post(f"/imports/{run.pk}/", {**columns, "action": "start"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "queued" and run.duplicate_mode == "update"
    progress = client.get(f"/imports/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in progress and "Waiting for a worker" in progress
    services.execute(run.pk)  # what the worker does
    progress = client.get(f"/imports/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in progress  # finished: polling stops
    assert "2 of 2 rows" in progress and "100%" in progress
    assert "Undo this import" in progress and "Download as CSV" in progress
    assert Contact.objects.get().full_name == "Radu Popa"
    # Undo from the page queues the undo job; running it trashes the contact.
    client.post(f"/imports/{run.pk}/undo/")
    run.refresh_from_db()
    assert run.status == "undoing"
    assert "Being undone" in client.get(f"/imports/{run.pk}/progress/").content.decode()
    services.undo(actor=admin, run=run)  # what the worker does
    assert not Contact.objects.filter(deleted_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="undo import").count() == 1


def test_bad_uploads_show_clear_errors(client, admin):
    client.force_login(admin)
    response = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00", "poza.csv")
    assert response.status_code == 400
    assert "binary file" in response.content.decode()
    response = upload(client, b"", "gol.csv")
    assert "The file is empty." in response.content.decode()
    response = client.post("/imports/", {"record_type": "contact"})
    assert "Choose a file to import." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_duplicate_field_mapping_is_refused(client, admin):
    client.force_login(admin)
    upload(client, csv_bytes(ROWS))
    run = ImportRun.objects.get()
    services.check_upload(run.pk)  # what the worker does
    response = client.post(
        f"/imports/{run.pk}/",
        {"action": "start", "col_0": "full_name", "col_1": "full_name", "duplicate_mode": "skip"},
    )
    assert response.status_code == 400
    assert "Only one column can go into Full name." in response.content.decode()
    run.refresh_from_db()
    assert run.status == "draft"


def test_nonsense_posted_values_get_messages_not_errors(client, admin):
    client.force_login(admin)
    response = client.post(
        "/imports/",
        {
            "record_type": "contact",
            "template": "x'; DROP",
            "file": SimpleUploadedFile("a.csv", csv_bytes(ROWS)),
        },
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    services.check_upload(run.pk)  # what the worker does
    for data, message in (
        ({"action": "template", "template": "abc"}, "Choose a saved mapping."),
        ({"action": "preview", "delimiter": "ab"}, "The delimiter is one character"),
        ({"action": "preview", "encoding": "klingon"}, "Unknown encoding"),
        ({"action": "start", "duplicate_mode": "merge"}, "Choose what to do with rows"),
    ):
        response = client.post(f"/imports/{run.pk}/", {"duplicate_mode": "skip", **data})
        assert response.status_code == 400, data
        assert message in response.content.decode(), data


def test_roles_without_import_are_refused(client, admin):
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    client.force_login(rep)
    assert client.get("/imports/").status_code == 403
    assert upload(client, csv_bytes(ROWS)).status_code == 403


def test_command_line_import_with_dry_run_and_mapping(admin, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "oameni.csv"
    path.write_bytes(csv_bytes(ROWS))
    out, err = StringIO(), StringIO()
    call_command("import", str(path), "--type", "contacts", "--dry-run", stdout=out, stderr=err)
    assert "1 would be created" in out.getvalue() and "1 rejected" in out.getvalue()
    assert "row 3, Adresă de email" in out.getvalue()
    assert "2 / 2 rows (100%)" in err.getvalue()
    assert not Contact.objects.exists()
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Prenume": "full_name", "Adresă de email": "email"}')
    call_command("import", str(path), "--mapping", str(mapping), stdout=out, stderr=err)
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == ["Radu"]


def _big_csv(path, rows: int) -> None:
    lines = [["Name", "Email", "Phone", "Tags"]]
    lines += [[f"Person {i:05d}", f"p{i}@firma.ro", f"0722 {i:06d}", "batch"] for i in range(rows)]
    lines[1500][1] = "broken@"  # one rejected row, to see it survive the restart
    path.write_bytes(csv_bytes(lines))


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_keeps_whole_batches_and_resumes_to_the_same_result(settings, tmp_path):
    """Kill `clientela import` mid-run: only whole batches are stored; resuming gives the
    same records as a run that was never interrupted."""
    settings.IMPORT_DIR = tmp_path / "imports"
    create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)
    source = tmp_path / "people.csv"
    rows = 3000
    _big_csv(source, rows)
    env = clientela_env(
        tmp_path / "data",
        CLIENTELA_DATABASE_URL=test_database_url(),
        CLIENTELA_IMPORT_BATCH_ROWS="100",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "clientela.cli", "import", str(source), "--type", "contacts"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        run = wait_for(
            lambda: ImportRun.objects.filter(rows_done__gte=500).first(),
            timeout=120,
            message="the import never committed 500 rows",
        )
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    run.refresh_from_db()
    assert run.status == "running" and run.rows_done < rows
    # Only whole batches: what is stored is exactly what the counters say was committed.
    stored = Contact.objects.count()
    assert run.rows_done % 100 == 0
    assert stored == run.created == run.rows_done - run.rejected
    assert stored == len(set(Contact.objects.values_list("email", flat=True)))

    time.sleep(0.1)
    resumed = run_clientela(
        tmp_path / "data",
        "import",
        "--resume",
        str(run.pk),
        CLIENTELA_DATABASE_URL=test_database_url(),
        CLIENTELA_IMPORT_BATCH_ROWS="100",
    )
    assert resumed.returncode == 0, resumed.stderr
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.created, run.rejected) == ("done", rows, rows - 1, 1)
    assert run.rejections.get().row == 1501  # lines[1500]: the header is row 1
    names = set(Contact.objects.values_list("full_name", flat=True))
    expected = {f"Person {i:05d}" for i in range(rows)} - {"Person 01499"}
    assert names == expected
    assert Contact.objects.count() == rows - 1  # nothing twice


def test_a_job_for_a_run_held_elsewhere_looks_again_later(admin, settings):
    """The job kernel re-runs a dead worker's job before the run counts as stopped: the
    job then checks back after the stall window instead of giving up on the run."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from clientela.dataio import tasks

    run = services.create_run(
        actor=admin,
        source=io.BytesIO(csv_bytes(ROWS)),
        file_name="a.csv",
        record_type="contact",
    )
    ImportRun.objects.filter(pk=run.pk).update(status="running", beat_at=timezone.now())
    tasks.run_import.call(run.pk)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [run.pk]
    assert queued.run_after > timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        beat_at=timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALL_SECONDS + 1)
    )
    tasks.run_import.call(run.pk)  # now stopped: this job takes it over and finishes it
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 1)
