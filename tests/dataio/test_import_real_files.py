"""Files shaped like what businesses export (tests/dataio/files/): namesakes at one company,
national numbers of three countries, owners with no account, legacy Romanian letters from
Excel, a quote left open, columns no field takes, over-long values. No row is lost for a
value the import can keep aside, and the report says what happened to each row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientela.activities.models import Activity
from clientela.core.models import CustomField
from clientela.core.text import fold, normalise
from clientela.customers import services as customer_services
from clientela.customers.models import Company, Contact
from clientela.dataio.importing import mapping, reading, services
from clientela.dataio.models import ImportNote, ImportRun
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file

FILES = Path(__file__).parent / "files"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PHONE_REGION = "RO"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


def notes_on(contact: Contact) -> list[str]:
    """The bodies of the notes on a contact's timeline."""
    return list(
        Activity.objects.filter(
            links__content_type=ContentType.objects.get_for_model(Contact),
            links__object_id=contact.pk,
        ).values_list("body", flat=True)
    )


def report(run: ImportRun) -> list[tuple[int, str, str]]:
    return list(run.notes.values_list("row", "kind", "column"))


def message(run: ImportRun, row: int, kind: str = "warning") -> str:
    return " ".join(run.notes.filter(row=row, kind=kind).values_list("message", flat=True))


# Namesakes ------------------------------------------------------------------------------
def test_namesakes_at_one_company_with_their_own_e_mails_are_different_people(admin):
    run = import_file(admin, read("hubspot-shared-names.csv"), "hubspot-contacts.csv")
    assert run.status == "done", run.error
    # Two Maria Popescu and two Ion Ionescu with their own e-mails are four people; the
    # second Ana Dobre (no e-mail, no phone) is the first one again, and so is the row
    # repeating Maria's e-mail.
    assert (run.created, run.skipped, run.rejected) == (5, 2, 0)
    marias = Contact.objects.filter(full_name="Maria Popescu").order_by("id")
    assert [m.email for m in marias] == [
        "maria.popescu@lactatesud.ro",
        "m.popescu@lactatesud.ro",
    ]
    assert [m.position for m in marias] == ["Buyer", "Accountant"]
    assert Contact.objects.filter(full_name="Ion Ionescu").count() == 2
    assert Contact.objects.filter(full_name="Ana Dobre").count() == 1
    assert report(run) == [
        (3, "warning", ""),
        (5, "warning", ""),
        (7, "skipped", ""),
        (8, "skipped", ""),
    ]
    assert "imported as another person" in message(run, 3)
    assert "neither with an e-mail or phone" in message(run, 7, "skipped")
    assert "Ana Dobre, Lactate Sud SRL" in message(run, 7, "skipped")
    assert "the same e-mail (maria.popescu@lactatesud.ro)" in message(run, 8, "skipped")


def test_a_file_of_distinct_people_with_common_names_loses_none(admin):
    # 300 people, 40 names between them, at three companies, each with an e-mail: before,
    # every namesake at the same company was skipped as a duplicate of the first.
    given = ["Maria", "Ion", "Elena", "Andrei", "Ana", "Mihai", "Ioana", "Dan"]
    family = ["Popescu", "Ionescu", "Pop", "Radu", "Stan"]
    rows = [["First Name", "Last Name", "Email", "Company Name"]]
    rows += [
        [given[i % 8], family[i % 5], f"person{i}@client.ro", f"Client {i % 3}"] for i in range(300)
    ]
    run = import_file(admin, csv_bytes(rows), mode="skip")
    assert (run.created, run.skipped, run.rejected) == (300, 0, 0)
    assert Contact.objects.count() == 300
    # 120 (name, company) pairs: each row after the first of its pair is flagged, to merge
    # if it is the same person, and stored all the same.
    assert run.warned == 300 - 120


def test_an_existing_namesake_with_an_e_mail_is_not_merged_with_a_row_without_one(admin):
    company = customer_services.create_company(actor=admin, data={"name": "Atelier Nord"})
    existing = customer_services.create_contact(
        actor=admin,
        data={"full_name": "Vasile Lupu", "emails": ["vasile@nord.ro"], "company": company},
    )
    rows = [["Name", "Company", "Position"], ["Vasile Lupu", "Atelier Nord", "Director"]]
    run = import_file(admin, csv_bytes(rows), mode="update")
    assert (run.created, run.updated) == (1, 0)
    existing.refresh_from_db()
    assert existing.position == ""
    assert report(run) == [(2, "warning", "")]
    # A row that repeats the e-mail is merged, and the report says by what.
    again = import_file(
        admin,
        csv_bytes([["Name", "Email", "Position"], ["V. Lupu", "VASILE@nord.ro", "Owner"]]),
        mode="update",
    )
    assert (again.created, again.updated) == (0, 1)
    assert "the same e-mail (vasile@nord.ro)" in message(again, 2, "merged")
    existing.refresh_from_db()
    assert existing.position == "Owner"


# Phones ---------------------------------------------------------------------------------
def test_national_numbers_are_read_in_the_country_of_the_rows_address(admin):
    run = import_file(admin, read("salesforce-three-countries.csv"), "salesforce.csv")
    assert run.status == "done", run.error
    assert (run.created, run.rejected) == (5, 0), list(run.rejections.values("column", "reason"))

    def phones(email: str) -> list[tuple[str, str]]:
        return list(
            Contact.objects.get(email=email).phones.order_by("position").values_list("e164", "kind")
        )

    assert phones("luis@ortega.es") == [("+34915555123", "work"), ("+34612345678", "mobile")]
    assert phones("ioana@brutaria.ro") == [("+40213120000", "work"), ("+40722123456", "mobile")]
    assert phones("sofia@cafesol.mx") == [("+525512345678", "work")]
    assert phones("priya@sharma.in") == [("+919876543210", "work")]
    # No country on the row: the installation's; a number that is not one there is kept
    # as written, unverified, after the row's checked phone (which stays its main one).
    assert phones("dan@pop.ro") == [("+40733000111", "mobile"), ("072212", "work")]
    dan = Contact.objects.get(email="dan@pop.ro")
    assert dan.phone == "+40733000111"
    assert list(dan.phones.values_list("raw", "verified")) == [
        ("0733 000 111", True),
        ("0722 12", False),
    ]
    assert notes_on(dan) == []
    assert "“0722 12”" in message(run, 5) and "marked unverified" in message(run, 5)


def test_a_number_that_is_possible_but_not_valid_in_its_country_is_kept_unverified(admin):
    # 612 345 678 is a Spanish mobile; read as Romanian it would be a possible number
    # (+40 612 345 678) that no Romanian line has: never stored under +40.
    rows = [["Name", "Phone", "Country"], ["Ana Gil", "612 345 678", "Romania"]]
    run = import_file(admin, csv_bytes(rows))
    assert (run.created, run.rejected, run.warned) == (1, 0, 1)
    ana = Contact.objects.get()
    assert list(ana.phones.values_list("raw", "e164", "verified")) == [
        ("612 345 678", "612345678", False)
    ]
    assert "not a valid phone number in RO" in message(run, 2)
    assert report(run) == [(2, "warning", "Phone")]


# Owners ---------------------------------------------------------------------------------
def test_owners_without_an_account_do_not_cost_the_row(admin):
    run = import_file(admin, read("salesforce-three-countries.csv"), "salesforce.csv")
    owners = dict(Contact.objects.values_list("email", "owner__email"))
    assert owners["luis@ortega.es"] == "admin@firma.ro"  # named someone with no account
    assert owners["priya@sharma.in"] == "admin@firma.ro"
    assert owners["ioana@brutaria.ro"] == "admin@firma.ro"  # named the importer
    warnings = [item for item in report(run) if item[2] == "Contact Owner"]
    assert warnings == [(2, "warning", "Contact Owner"), (6, "warning", "Contact Owner")]
    assert "carmen.vidal@ortega.es" in message(run, 2) and "Ana Admin" in message(run, 2)
    assert run.warned == 3  # the two owners and Dan's unreadable phone


def test_a_chosen_owner_gets_the_records_whose_owner_has_no_account(admin):
    lucia = create_user(email="lucia@firma.ro", full_name="Lucía Fernández")
    run = services.create_run(
        actor=admin,
        source=io.BytesIO(read("salesforce-three-countries.csv")),
        file_name="salesforce.csv",
        record_type="contact",
    )
    services.configure(
        actor=admin,
        run=run,
        columns=run.mapping,
        duplicate_mode="skip",
        dry_run=False,
        default_owner=lucia,
    )
    shown = services.preview(run)
    assert shown[0].values["owner"] == "Lucía Fernández"
    assert shown[0].warnings and shown[0].warnings[0][0] == "Contact Owner"
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    services.execute(run.pk)
    owners = dict(Contact.objects.values_list("email", "owner__email"))
    assert owners["luis@ortega.es"] == "lucia@firma.ro"
    assert owners["ioana@brutaria.ro"] == "admin@firma.ro"
    lucia.is_active = False
    lucia.save()
    with pytest.raises(ValidationError, match="active user"):
        services.configure(
            actor=admin,
            run=services.create_run(
                actor=admin,
                source=io.BytesIO(read("salesforce-three-countries.csv")),
                file_name="again.csv",
                record_type="contact",
            ),
            columns=[],
            duplicate_mode="skip",
            dry_run=False,
            default_owner=lucia,
        )


# Romanian letters -----------------------------------------------------------------------
def test_normalise_gives_one_spelling():
    assert normalise("  Ştefan Ţăran  ") == "Ștefan Țăran"
    assert normalise("ŞERBAN ŢICĂ") == "ȘERBAN ȚICĂ"
    # Letters typed as a base letter and a combining mark become one character.
    assert normalise("Ba\u0306la\u0306u s\u0326i S\u0327") == "Bălău și Ș"
    assert normalise(" plain ") == "plain" and normalise("") == ""
    # Line breaks as one character, whatever program wrote the file.
    assert normalise("Două rânduri\r\nde note\rși încă") == "Două rânduri\nde note\nși încă"


def test_legacy_cedilla_letters_from_excel_are_stored_with_the_comma_below(admin):
    run = import_file(admin, read("excel-ro-cp1250.csv"), "clienti.csv")
    assert run.encoding == "cp1250" and run.delimiter == ";"
    assert (run.created, run.rejected) == (3, 0)
    stefan = Contact.objects.get(email="stefan@firma.ro")
    assert (stefan.given_name, stefan.family_name) == ("Ștefan", "Țăran")
    address = stefan.addresses.get()
    assert (address.city, address.region) == ("Pitești", "Argeș")
    assert Contact.objects.get(email="tica@firma.ro").full_name == "ȚICĂ ȘERBAN"
    assert Company.objects.get().name == "Fabrica de Pâine Ștefănești"
    assert run.headers[5:] == ["Oraș", "Județ"]
    every_text = " ".join(
        [
            *Contact.objects.values_list("full_name", flat=True),
            *Company.objects.values_list("name", flat=True),
            *stefan.addresses.values_list("city", flat=True),
        ]
    )
    assert not set("şţŞŢ") & set(every_text)


# A quote left open ----------------------------------------------------------------------
def test_a_quote_left_open_costs_its_row_only_and_is_reported_with_its_line(admin):
    run = import_file(admin, read("outlook-broken-quote.csv"), "outlook.csv")
    assert run.status == "done", run.error
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == [
        "Ana Pop",
        "Elena Dinu",
        "Radu Marin",
        "Vlad Ene",
    ]
    assert (run.created, run.rejected, run.total_rows) == (4, 1, 5)
    rejection = run.rejections.get()
    assert rejection.row == 3
    assert "line 3" in rejection.reason and "never closed" in rejection.reason
    assert rejection.values[:2] == ["Ion Rusu", "ion@rusu.ro"]
    # A note that spans two lines on purpose is kept whole.
    radu = Contact.objects.get(full_name="Radu Marin")
    assert notes_on(radu) == ["Two lines\nof notes, both kept"]
    assert notes_on(Contact.objects.get(full_name="Elena Dinu")) == ["Likes calls"]


def test_a_quote_left_open_to_the_end_of_the_file(admin, tmp_path):
    data = b'Name,Email\r\nAna Pop,ana@pop.ro\r\n"Ion Rusu,ion@rusu.ro\r\nEva Ene,eva@ene.ro\r\n'
    path = tmp_path / "open.csv"
    path.write_bytes(data)
    info = reading.inspect(path, "open.csv")
    rows = list(reading.data_rows(path, info))
    assert [(number, cells[:2]) for number, cells in rows] == [
        (2, ["Ana Pop", "ana@pop.ro"]),
        (3, ["Ion Rusu,ion@rusu.ro\r\n"]),
        (4, ["Eva Ene", "eva@ene.ro"]),
    ]
    assert rows[1][1].broken_quote_line == 3


def test_a_quote_left_open_that_outgrows_a_cell_is_still_only_its_row(admin, settings):
    settings.IMPORT_MAX_CELL_CHARS = 200
    lines = [["Name", "Email", "Notes"], ["Ana Pop", "ana@pop.ro", "ok"]]
    data = csv_bytes(lines) + b'Ion Rusu,ion@rusu.ro,"never closed\r\n'
    data += csv_bytes([[f"Person {i}", f"p{i}@firma.ro", "fine"] for i in range(20)])
    run = import_file(admin, data)
    assert (run.created, run.rejected) == (21, 1)
    assert "line 3" in run.rejections.get().reason


# Columns no field takes, the old system's ids ----------------------------------------
def test_unmapped_columns_become_custom_fields_and_ids_let_a_second_import_update(admin):
    data = read("pipedrive-extra-columns.csv")
    run = services.create_run(
        actor=admin, source=io.BytesIO(data), file_name="people.csv", record_type="contact"
    )
    assert run.mapping[:4] == ["external_id", "full_name", "email", "company"]
    assert run.mapping[4:] == ["", "", ""]
    columns = [*run.mapping[:4], *[mapping.NEW_CUSTOM] * 3]
    services.configure(
        actor=admin, run=run, columns=columns, duplicate_mode="update", dry_run=False
    )
    services.start(actor=admin, run=run)
    finished = services.execute(run.pk)
    assert finished.created == 2, list(finished.rejections.values("column", "reason"))
    fields = {f.label: (f.key, f.field_type) for f in CustomField.objects.all()}
    assert fields == {
        "Person - Lead source detail": ("person-lead-source-detail", "text"),
        "Person - Employees at signup": ("person-employees-at-signup", "number"),
        "Person - Visited fair": ("person-visited-fair", "yes_no"),
    }
    carmen = Contact.objects.get(email="carmen@client.ro")
    assert carmen.custom == {
        "person-lead-source-detail": "Fair in Cluj",
        "person-employees-at-signup": 12,
        "person-visited-fair": True,
    }
    # The corrected file again: matched by Pipedrive's ids though the e-mail changed.
    corrected = data.replace(b"carmen@client.ro", b"carmen.stan@client.ro")
    again = import_file(
        admin, corrected, columns=[*columns[:4], *finished.mapping[4:]], mode="update"
    )
    assert (again.created, again.updated) == (0, 2)
    assert "the same ID in the old system (p-17)" in message(again, 2, "merged")
    carmen.refresh_from_db()
    assert sorted(carmen.emails.values_list("address", flat=True)) == [
        "carmen.stan@client.ro",
        "carmen@client.ro",
    ]
    assert CustomField.objects.count() == 3  # the second run added none


# Over-long values -----------------------------------------------------------------------
def test_an_over_long_value_is_refused_for_its_row_with_the_reason(admin):
    rows = [
        ["Name", "Email", "City", "ID", "Tags"],
        ["N" * 20_000, "long@firma.ro", "Iași", "1", ""],
        ["Ana Pop", "ana@pop.ro", "C" * 101, "2", ""],
        ["Ion Rusu", "ion@rusu.ro", "Cluj", "9" * 300, ""],
        ["Eva Ene", "eva@ene.ro", "Cluj", "4", f"vip, {'t' * 61}"],
        ["Dan Marin", "dan@marin.ro", "Cluj", "5", "vip"],
    ]
    run = import_file(admin, csv_bytes(rows))
    assert run.status == "done", run.error
    assert list(Contact.objects.values_list("full_name", flat=True)) == ["Dan Marin"]
    assert list(run.rejections.values_list("row", "column")) == [
        (2, "Name"),
        (3, "City"),
        (4, "ID"),
        (5, "Tags"),
    ]
    reasons = list(run.rejections.values_list("reason", flat=True))
    assert "20,000 characters, more than the 200 this field holds" in reasons[0]
    assert "more than the 100" in reasons[1] and "more than the 255" in reasons[2]
    assert "more than the 60" in reasons[3]


# The report -----------------------------------------------------------------------------
def test_the_whole_report_downloads_and_the_page_shows_it(admin, client):
    run = import_file(admin, read("hubspot-shared-names.csv") + b"1008,,,bad@,,,,,,\r\n")
    client.force_login(admin)
    response = client.get(f"/imports/{run.pk}/report.csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Row,Outcome,Column,Message,Record ID,First Name")
    outcomes = [line.split(",")[:2] for line in lines[1:]]
    assert outcomes == [
        ["3", "Warning"],
        ["5", "Warning"],
        ["7", "Skipped"],
        ["8", "Skipped"],
        ["9", "Rejected"],
        ["9", "Rejected"],
    ]
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Rows skipped, merged or stored with a warning" in page
    assert "imported as another person" in page
    assert f"/imports/{run.pk}/report.csv" in page


def test_an_import_with_warnings_is_undone_whole(admin):
    run = import_file(admin, read("salesforce-three-countries.csv"), "salesforce.csv")
    assert run.created == 5
    services.undo(actor=admin, run=run)
    assert not Contact.objects.filter(deleted_at__isnull=True).exists()
    assert not Company.objects.filter(deleted_at__isnull=True).exists()


def test_fold_still_matches_either_spelling():
    assert fold("Ştefan") == fold("Ștefan") == "stefan"
    assert ImportNote.Kind.WARNING == "warning"
