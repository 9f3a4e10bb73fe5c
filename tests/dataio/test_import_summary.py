"""The preview counts a contacts file's rows by what they match (the same ID in the old
system, e-mail or phone as a record or an earlier row; a namesake at the same company with
another e-mail, created and flagged; new; unreadable) and says what happens to each kind
under the chosen duplicate mode."""

from __future__ import annotations

import io

import pytest

from clientela.customers import services as customer_services
from clientela.dataio.importing import services, summary
from clientela.dataio.models import ExternalKey, ImportRun
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes

ROWS = [
    ["Record ID", "First Name", "Last Name", "Email", "Phone", "Company"],
    ["h-1", "Ion", "Ionescu", "ion.nou@firma.ro", "", ""],  # an earlier import's ID
    ["", "Maria", "P.", "maria@lactatesud.ro", "", ""],  # Maria's e-mail
    ["", "Dana", "Ene", "dana@firma.ro", "0722 000 001", ""],  # Maria's phone
    ["", "Maria", "Popescu", "maria.popescu@alta.ro", "", "Lactate Sud SRL"],  # a namesake
    ["", "Radu", "Nou", "radu@firma.ro", "", ""],  # new
    ["", "Radu", "N.", "radu@firma.ro", "", ""],  # the row before's e-mail
    ["", "Elena", "Stan", "elena@", "", ""],  # a broken e-mail: rejected
]


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_BATCH_ROWS = 3  # the earlier row's e-mail is in the batch before
    user = create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)
    company = customer_services.create_company(actor=user, data={"name": "Lactate Sud SRL"})
    customer_services.create_contact(
        actor=user,
        data={
            "full_name": "Maria Popescu",
            "emails": ["maria@lactatesud.ro"],
            "phones": ["+40 722 000 001"],
            "company": company,
        },
    )
    ion = customer_services.create_contact(actor=user, data={"full_name": "Ion Ionescu"})
    ExternalKey.objects.create(record_type="contact", key="h-1", object_id=ion.pk)
    return user


def _run(admin, mode: str) -> ImportRun:
    run = services.create_run(
        actor=admin, source=io.BytesIO(csv_bytes(ROWS)), file_name="c.csv", record_type="contact"
    )
    return services.configure(
        actor=admin, run=run, columns=run.mapping, duplicate_mode=mode, dry_run=False
    )


def _counts(run: ImportRun) -> dict[str, tuple[int, str]]:
    found = summary.summarise(run, services.lookups_for(run))
    assert found is not None and (found.rows, found.partial) == (7, False)
    return {line.kind: (line.count, line.outcome) for line in found.lines}


def test_the_preview_counts_each_kind_of_match_and_what_happens_to_it(admin):
    counts = _counts(_run(admin, "skip"))
    assert {kind: count for kind, (count, _outcome) in counts.items()} == {
        "key": 1,
        "email": 2,  # Maria's, and the e-mail of the row before
        "phone": 1,
        "namesake": 1,
        "new": 1,
        "rejected": 1,
    }
    assert counts["email"][1] == "skipped: the record stays as it is"
    assert counts["namesake"][1] == (
        "created, and flagged as a suspected duplicate in the merge queue"
    )
    assert counts["new"][1] == "created"
    updating = _counts(_run(admin, "update"))
    assert updating["key"] == (1, "updated: the record gets the file's values")


def test_the_counts_match_what_the_run_then_does(admin):
    run = _run(admin, "skip")
    counts = _counts(run)
    run.status = ImportRun.Status.QUEUED
    run.save(update_fields=["status"])
    done = services.execute(run.pk)
    matched = sum(counts[kind][0] for kind in ("key", "email", "phone"))
    assert done.skipped == matched
    assert done.created == counts["new"][0] + counts["namesake"][0]
    assert done.rejected == counts["rejected"][0]
    assert done.suspected_duplicates.count() == counts["namesake"][0]


def test_a_long_file_is_counted_over_its_first_rows(admin):
    run = _run(admin, "skip")
    found = summary.summarise(run, services.lookups_for(run), limit=4)
    assert found is not None and (found.rows, found.partial) == (4, True)
    assert sum(line.count for line in found.lines) == 4


def test_the_mapping_page_shows_the_counts(admin, client):
    run = _run(admin, "skip")
    client.force_login(admin)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "What happens to the file's 7 rows, by what they match" in page
    assert '<tr data-kind="namesake">' in page
    assert "Same phone as a record or an earlier row" in page
