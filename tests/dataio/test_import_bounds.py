"""Uploaded files are checked in a job, within bounds: the upload page answers before the
file is read; a NUL anywhere, too many rows, a cell too long or an XLSX unpacking to too
much text is refused with a message naming where, and an XLSX past a bound is stopped in
its zipped XML before openpyxl (which holds all its text in memory) opens it."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from clientela.customers.models import Contact
from clientela.dataio.importing import services
from clientela.dataio.models import ImportRun
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """Fails the test if openpyxl is asked to open a workbook."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that is past the bounds")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def xlsx(rows) -> bytes:
    """A workbook written as openpyxl's streaming writer writes it (text in shared strings)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def shared(data: bytes) -> bytes:
    """The same workbook with its text in a shared-strings part, as Excel writes it."""
    strings: list[str] = []

    def index(match: re.Match) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(out, "w") as rewritten:
        for item in original.infolist():
            content = original.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', index, content
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    "</Relationships>",
                    '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" />'
                    "</Relationships>",
                )
            elif item.filename == "[Content_Types].xml":
                content = content.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            rewritten.writestr(item, content)
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        rewritten.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>',
        )
    return out.getvalue()


def refusal(admin, data: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as error:
        services.create_run(
            actor=admin, source=io.BytesIO(data), file_name=name, record_type="contact"
        )
    return " ".join(error.value.messages)


def padded_csv(*tail: list[str]) -> bytes:
    """A CSV over 64 KB before its last rows, past the part read to detect its format."""
    rows = [["Name", "Email", "Note"]]
    rows += [[f"Om {n}", f"om{n}@firma.ro", "x" * 60] for n in range(1500)]
    return csv_bytes(rows + list(tail))


def test_a_nul_after_the_first_64_kb_is_refused_with_its_row_and_column(admin, settings):
    data = padded_csv(["Ana", "ana\x00@firma.ro", ""])
    assert len(data) > 64 * 1024 and data.index(b"\x00") > 64 * 1024
    message = refusal(admin, data, "people.csv")
    assert "Row 1502, column “Email”, holds a NUL character" in message
    assert not Contact.objects.exists()


def test_a_nul_in_a_json_value_is_refused_too(admin):
    data = b'[{"Name": "Ana", "Email": "ana@firma.ro"}, {"Name": "Dan\\u0000", "Email": ""}]'
    assert "Row 3, column “Name”, holds a NUL character" in refusal(admin, data, "p.json")


def test_a_nul_reaching_a_run_fails_it_with_the_message_not_stores_it(admin, settings, tmp_path):
    run = import_file(admin, csv_bytes([["Name", "Email"], ["Ana", "ana@firma.ro"]]))
    assert run.status == "done"
    # The file changed on disk after it was checked: the run reads it within the bounds too.
    with open(run.path, "ab") as out:
        out.write(b"Dan,dan\x00@firma.ro\r\n")
    ImportRun.objects.filter(pk=run.pk).update(status="queued", total_rows=None)
    run = services.execute(run.pk)
    assert run.status == "failed" and "holds a NUL character" in run.error
    assert list(Contact.objects.values_list("full_name", flat=True)) == ["Ana"]


def test_rows_past_the_bound_are_refused(admin, settings):
    settings.IMPORT_MAX_ROWS = 100
    rows = [["Name"]] + [[f"Om {n}"] for n in range(101)]
    assert "more than 100 data rows" in refusal(admin, csv_bytes(rows), "many.csv")
    assert (
        services.create_run(
            actor=admin,
            source=io.BytesIO(csv_bytes(rows[:101])),
            file_name="enough.csv",
            record_type="contact",
        ).total_rows
        == 100
    )


def test_a_zipped_sheet_of_many_rows_is_stopped_before_it_is_opened(
    admin, settings, openpyxl_never_opens
):
    settings.IMPORT_MAX_ROWS = 1000
    # 0.1 MB zipped, far more rows unpacked than the bound.
    data = xlsx([["Name", "Email"]] + [["Om", "om@firma.ro"]] * 20_000)
    assert len(data) < 200 * 1024
    assert "more than 1,000 data rows" in refusal(admin, data, "bomb.xlsx")


def test_a_huge_xlsx_cell_is_stopped_at_the_bound_with_its_cell(
    admin, settings, openpyxl_never_opens
):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    data = xlsx([["Name", "Note"], ["Ana", "scurt"], ["Dan", "n" * 50_000]])
    assert "Cell B3 holds more than 1,000 characters" in refusal(admin, data, "cell.xlsx")


def test_a_huge_shared_string_is_stopped_at_the_bound_with_its_cell(
    admin, settings, openpyxl_never_opens
):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    data = shared(xlsx([["Name", "Note"], ["Ana", "scurt"], ["Dan", "n" * 50_000]]))
    assert "Cell B3 holds more than 1,000 characters" in refusal(admin, data, "cell.xlsx")


def test_an_xlsx_unpacking_to_too_much_text_is_refused(admin, settings, openpyxl_never_opens):
    settings.IMPORT_MAX_TEXT_BYTES = 1024 * 1024
    rows = [["Name", "Note"]] + [[f"Om {n}", f"{n:06d}" + "t" * 100] for n in range(12_000)]
    message = refusal(admin, shared(xlsx(rows)), "text.xlsx")
    assert "unpacks to more than 1 MB of text" in message


def test_a_long_csv_cell_and_a_line_without_end_are_refused(admin, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    long_cell = csv_bytes([["Name", "Note"], ["Ana", "scurt"], ["Dan", "n" * 5000]])
    assert "Line 3 of the file holds a cell of more than 1,000 characters" in refusal(
        admin, long_cell, "long.csv"
    )
    endless = b"Name,Note\r\nAna," + b"n," * 10_000
    assert "Line 2 of the file is longer than" in refusal(admin, endless, "endless.csv")


def test_files_within_the_bounds_still_import(admin, settings):
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_CELL_CHARS = 20
    rows = [["Name", "Email"], ["Ana Pop", "ana@firma.ro"], ["Dan Ene", "dan@ene.ro"]]
    for data in (xlsx(rows), shared(xlsx(rows))):
        run = import_file(admin, data, "ok.xlsx", mode="update")
        assert run.status == "done" and run.created + run.updated == 2
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == ["Ana Pop", "Dan Ene"]


# Through the pages: the upload answers at once, a job reads the file -----------------------
def upload(client, data: bytes, name: str):
    return client.post(
        "/imports/", {"record_type": "contact", "file": SimpleUploadedFile(name, data)}
    )


def test_the_upload_answers_before_reading_the_file_and_a_job_checks_it(client, admin):
    client.force_login(admin)
    response = upload(client, padded_csv(), "people.csv")
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/"
    assert run.status == "checking" and run.headers == []
    job = DBTaskResult.objects.get()
    assert job.task_path == "clientela.dataio.tasks.check_upload"
    assert job.args_kwargs["args"] == [run.pk]
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Checking the file" in page and 'hx-trigger="every 1s"' in page

    services.check_upload(run.pk)  # what the worker does
    run.refresh_from_db()
    assert (run.status, run.total_rows) == ("draft", 1500)
    assert run.headers == ["Name", "Email", "Note"] and run.mapping[:2] == ["full_name", "email"]
    polled = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"  # the page reloads into the mapping form
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Map columns" in page


def test_a_file_refused_by_the_check_says_why_on_its_page(client, admin):
    client.force_login(admin)
    upload(client, padded_csv(["Ana", "ana\x00@firma.ro", ""]), "people.csv")
    run = ImportRun.objects.get()
    services.check_upload(run.pk)  # what the worker does
    run.refresh_from_db()
    assert run.status == "refused"
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Refused" in page and "Row 1502, column “Email”, holds a NUL character" in page
    assert "Upload another file" in page and 'hx-trigger="every 1s"' not in page
    assert not Path(run.path).exists()  # nothing of a refused file is kept
