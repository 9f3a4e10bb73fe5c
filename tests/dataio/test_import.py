"""Imports from the files other programs write: each encoding, delimiter, vCard version,
XLSX, JSON, other CRMs' exports in three languages; duplicates, dry runs, rejected rows,
undo, limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities.models import Activity
from clientela.core import audit, record_services
from clientela.core.models import AuditEntry, CustomField
from clientela.customers import services as customer_services
from clientela.customers.models import Company, Contact
from clientela.dataio.importing import mapping, reading, services
from clientela.dataio.models import ImportRun
from clientela.users.services import create_user, role_named
from tests.dataio.importing_helpers import csv_bytes, import_file

ROMANIAN = [
    ["Nume", "Prenume", "E-mail", "Telefon", "Firma", "Oraș"],
    ["Țăran", "Ştefan", "stefan@firma.ro", "0722 123 456", "Fabrica de Pâine", "Iași"],
    ["Bălan", "Ioana", "ioana@firma.ro", "0733 000 111", "Fabrica de Pâine", "Brașov"],
]
# ș/ț with comma below do not exist in the old single-byte encodings: the cedilla forms do.
ROMANIAN_LEGACY = [
    [cell.replace("Ș", "Ş").replace("ș", "ş").replace("Ț", "Ţ").replace("ț", "ţ") for cell in row]
    for row in ROMANIAN
]
SPANISH = [
    ["Nombre", "Apellidos", "Correo electrónico", "Teléfono", "Empresa", "Ciudad"],
    ["José", "Muñoz Peña", "jose@empresa.es", "+34 612 345 678", "Panadería Núñez", "Málaga"],
    ["Begoña", "Ibáñez", "begona@empresa.es", "+34 699 111 222", "Panadería Núñez", "Cádiz"],
]


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


def names() -> list[str]:
    return sorted(
        Contact.objects.filter(deleted_at__isnull=True).values_list("full_name", flat=True)
    )


# Encodings and delimiters -------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "rows", "expected_encoding"),
    [
        ("utf-8", ROMANIAN, "utf-8"),
        ("utf-8-sig", ROMANIAN, "utf-8-sig"),
        ("utf-16", ROMANIAN, "utf-16"),
        ("cp1250", ROMANIAN_LEGACY, "cp1250"),
        ("iso-8859-2", ROMANIAN_LEGACY, None),  # same bytes as cp1250 for these letters
        ("cp1252", SPANISH, "cp1252"),
        ("utf-8", SPANISH, "utf-8"),
    ],
)
def test_each_encoding_is_detected_and_the_letters_stored_right(
    admin, encoding, rows, expected_encoding
):
    run = import_file(admin, csv_bytes(rows, encoding=encoding))
    assert run.status == "done", run.error
    if expected_encoding:
        assert run.encoding == expected_encoding
    assert run.created == 2 and run.rejected == 0
    if rows is SPANISH:
        contact = Contact.objects.get(email="jose@empresa.es")
        assert contact.full_name == "José Muñoz Peña"
        assert contact.company.name == "Panadería Núñez"
        assert contact.addresses.get().city == "Málaga"
    else:
        # Stored with the comma-below letters, whichever the file had.
        contact = Contact.objects.get(email="stefan@firma.ro")
        assert contact.given_name == "Ștefan" and contact.family_name == "Țăran"
        assert contact.company.name == "Fabrica de Pâine"
        assert contact.phone == "+40722123456"
        assert contact.addresses.get().city == ROMANIAN[1][5]
    # Both people work at one company, created once.
    assert Company.objects.count() == 1


def test_iso_8859_2_letters_that_differ_from_windows_1250(admin):
    rows = [["Name", "Email"], ["Šárka Žáková", "sarka@firma.cz"], ["Ştefan Ţuţu", "st@firma.ro"]]
    run = import_file(admin, csv_bytes(rows, encoding="iso-8859-2"))
    assert run.encoding == "iso-8859-2"
    assert names() == ["Šárka Žáková", "Ștefan Țuțu"]


def test_an_overridden_encoding_is_used(admin):
    data = csv_bytes([["Name", "Email"], ["Ana Bălan", "ana@firma.ro"]], encoding="cp1250")
    run = import_file(admin, data, encoding="cp1252")
    assert run.encoding == "cp1252"
    assert names() == ["Ana Bãlan"]  # what the user asked for, mojibake and all


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected_with_quoted_fields(admin, delimiter):
    rows = [
        ["Name", "Email", "Notes"],
        ["Ion Pop", "ion@firma.ro", f'Says "hello"{delimiter} twice\nsecond line'],
        ["Maria Ene", "maria@firma.ro", ""],
    ]
    run = import_file(admin, csv_bytes(rows, delimiter=delimiter))
    assert run.delimiter == delimiter
    assert run.created == 2
    note = Activity.objects.get()
    assert note.body == f'Says "hello"{delimiter} twice\nsecond line'


# Formats ------------------------------------------------------------------------------
def test_xlsx_is_read_from_its_first_sheet(admin):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Full name", "E-mail", "Phone", "Tags", "Customer since"])
    sheet.append(["Elena Radu", "elena@firma.ro", 40722000111, "vip, retail", "2024-01-05"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Dan Marin", "dan@firma.ro", "0733 222 333", "", None])
    out = io.BytesIO()
    book.save(out)
    run = import_file(admin, out.getvalue(), "people.xlsx")
    assert run.format == "xlsx" and run.created == 2 and run.total_rows == 2
    elena = Contact.objects.get(email="elena@firma.ro")
    assert elena.phone == "+40722000111"
    assert sorted(elena.tags.values_list("name", flat=True)) == ["retail", "vip"]


def test_a_tag_named_twice_in_two_cases_is_one_tag(admin):
    """A cell naming a tag as "VIP, vip" gives the person that tag once, as the form
    does; the batch used to write the link twice and the import stopped."""
    rows = [["Full name", "E-mail", "Tags"], ["Ion Pop", "ion@firma.ro", "VIP, vip, retail"]]
    run = import_file(admin, csv_bytes(rows))
    assert run.created == 1, list(run.rejections.values())
    ion = Contact.objects.get(email="ion@firma.ro")
    assert sorted(ion.tags.values_list("name", flat=True)) == ["VIP", "retail"]
    assert audit.history(ion).get().state["tags"] == ["VIP", "retail"]


VCARD_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C8=98erban;Mihai=\r\n"
    ";;;\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Mihai =C8=98erban\r\n"
    "TEL;CELL:0722 555 666\r\nTEL;WORK;VOICE:021 312 0000\r\nEMAIL;PREF;INTERNET:mihai@firma.ro\r\n"
    "ORG:Brutăria Veche\r\nEND:VCARD\r\n"
)
VCARD_30 = (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Lucía Gómez\nN:Gómez;Lucía;;;\nORG:Café Sol\\, S.L.;Ventas\n"
    "TITLE:Directora\nEMAIL;TYPE=INTERNET,WORK:lucia@cafesol.es\nTEL;TYPE=CELL:+34 611 22 33 44\n"
    "ADR;TYPE=WORK:;;Calle Mayor 1;Madrid;;28013;ES\nNOTE:Met at the fair\\nCall in May\n"
    "CATEGORIES:proveedores,vip\nEND:VCARD\n"
)
VCARD_40 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Priya Sharma\r\nN:Sharma;Priya;;;\r\n"
    'EMAIL;TYPE=work:priya@example.in\r\nTEL;VALUE=uri;TYPE="cell,voice":tel:+91-98765-43210\r\n'
    "item1.EMAIL;TYPE=home:priya.home@example.in\r\nUID:urn:uuid:1234\r\nEND:VCARD\r\n"
)


def test_vcard_21_30_40_as_phones_outlook_and_google_write_them(admin):
    data = (VCARD_21 + VCARD_30 + VCARD_40).encode()
    run = import_file(admin, data, "contacts.vcf")
    assert run.format == "vcard" and run.created == 3, list(run.rejections.values())
    mihai = Contact.objects.get(email="mihai@firma.ro")
    assert mihai.family_name == "Șerban"
    assert mihai.full_name == "Mihai Șerban"
    assert sorted(mihai.phones.values_list("e164", "kind")) == [
        ("+40213120000", "work"),
        ("+40722555666", "mobile"),
    ]
    assert mihai.company.name == "Brutăria Veche"
    lucia = Contact.objects.get(email="lucia@cafesol.es")
    assert (lucia.given_name, lucia.family_name, lucia.position) == ("Lucía", "Gómez", "Directora")
    assert lucia.company.name == "Café Sol, S.L."
    address = lucia.addresses.get()
    assert (address.street, address.city, address.postal_code, address.country) == (
        "Calle Mayor 1",
        "Madrid",
        "28013",
        "ES",
    )
    assert Activity.objects.get().body == "Met at the fair\nCall in May"
    assert sorted(lucia.tags.values_list("name", flat=True)) == ["proveedores", "vip"]
    priya = Contact.objects.get(full_name="Priya Sharma")
    assert list(priya.emails.values_list("address", flat=True)) == [
        "priya@example.in",
        "priya.home@example.in",
    ]
    assert priya.phone == "+919876543210"


def test_json_list_of_objects(admin):
    data = (
        b'[{"name": "Radu Ilie", "email": "radu@firma.ro", "tags": ["a", "b"], "phone": null},'
        b' {"name": "Ilinca Vlad", "email": "ilinca@firma.ro", "company": "Vlad SRL"}]'
    )
    run = import_file(admin, data, "export.json")
    assert run.format == "json" and run.created == 2
    assert sorted(
        Contact.objects.get(email="radu@firma.ro").tags.values_list("name", flat=True)
    ) == [
        "a",
        "b",
    ]
    assert Contact.objects.get(email="ilinca@firma.ro").company.name == "Vlad SRL"


# Other CRMs' exports, three languages -------------------------------------------------
HUBSPOT = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Mobile Phone Number",
    "Company Name",
    "Job Title",
    "Lifecycle Stage",
    "Contact owner",
    "City",
    "State/Region",
    "Postal Code",
    "Country/Region",
    "Street Address",
    "Create Date",
]
SALESFORCE = [
    "Contact ID",
    "First Name",
    "Last Name",
    "Account Name",
    "Title",
    "Email",
    "Phone",
    "Mobile",
    "Mailing Street",
    "Mailing City",
    "Mailing State/Province",
    "Mailing Zip/Postal Code",
    "Mailing Country",
    "Contact Owner",
    "Lead Source",
    "Description",
]
ZOHO = [
    "Record Id",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Mobile",
    "Account Name",
    "Title",
    "Contact Owner",
    "Tag",
    "Description",
]
PIPEDRIVE = [
    "Person - ID",
    "Person - Name",
    "Person - Email - Work",
    "Person - Phone - Work",
    "Person - Organization",
    "Person - Owner",
    "Person - Label",
]
ODOO = [
    "External ID",
    "Name",
    "Email",
    "Phone",
    "Mobile",
    "Related Company",
    "Job Position",
    "Street",
    "City",
    "Zip",
    "Country",
    "Tags",
    "Salesperson",
]
RO_HEADERS = [
    "Nume complet",
    "Adresă de email",
    "Număr de telefon",
    "Companie",
    "Funcție",
    "Etichete",
    "Observații",
    "Județ",
    "Cod poștal",
    "Țară",
    "Responsabil",
]
ES_HEADERS = [
    "Nombre completo",
    "Correo electrónico",
    "Teléfono móvil",
    "Empresa",
    "Cargo",
    "Etiquetas",
    "Notas",
    "Provincia",
    "Código postal",
    "País",
    "Propietario",
]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            HUBSPOT,
            [
                "external_id",
                "given_name",
                "family_name",
                "email",
                "phone",
                "mobile",
                "company",
                "position",
                "lifecycle_stage",
                "owner",
                "city",
                "region",
                "postal_code",
                "country",
                "street",
                "",
            ],
        ),
        (
            SALESFORCE,
            [
                "external_id",
                "given_name",
                "family_name",
                "company",
                "position",
                "email",
                "phone",
                "mobile",
                "street",
                "city",
                "region",
                "postal_code",
                "country",
                "owner",
                "source",
                "note",
            ],
        ),
        (
            ZOHO,
            [
                "external_id",
                "given_name",
                "family_name",
                "email",
                "phone",
                "mobile",
                "company",
                "position",
                "owner",
                "tags",
                "note",
            ],
        ),
        (PIPEDRIVE, ["external_id", "full_name", "email", "phone", "company", "owner", "tags"]),
        (
            ODOO,
            [
                "external_id",
                "full_name",
                "email",
                "phone",
                "mobile",
                "company",
                "position",
                "street",
                "city",
                "postal_code",
                "country",
                "tags",
                "owner",
            ],
        ),
        (
            RO_HEADERS,
            [
                "full_name",
                "email",
                "phone",
                "company",
                "position",
                "tags",
                "note",
                "region",
                "postal_code",
                "country",
                "owner",
            ],
        ),
        (
            ES_HEADERS,
            [
                "full_name",
                "email",
                "mobile",
                "company",
                "position",
                "tags",
                "note",
                "region",
                "postal_code",
                "country",
                "owner",
            ],
        ),
        (["Nume", "Prenume", "Email"], ["family_name", "given_name", "email"]),
        (["Nombre", "Apellidos", "Correo"], ["given_name", "family_name", "email"]),
        (["E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Value"], ["", "email", "phone"]),
    ],
)
def test_headers_of_other_crms_and_languages_map_themselves(admin, headers, expected):
    assert mapping.guess(headers, "contact") == expected


def test_company_headers_map_to_company_fields(admin):
    headers = ["Company name", "CUI", "Industrie", "Website", "Telefon", "Estado"]
    assert mapping.guess(headers, "company") == [
        "name",
        "tax_id",
        "industry",
        "website",
        "phone",
        "status",
    ]


def test_a_hubspot_export_imports_with_owner_stage_and_id(admin):
    create_user(email="vanzari@firma.ro", full_name="Victor Vânzări")
    row = [
        "501",
        "Carmen",
        "Stan",
        "carmen@client.ro",
        "0722 999 888",
        "",
        "Client SRL",
        "CEO",
        "marketingqualifiedlead",
        "vanzari@firma.ro",
        "Cluj-Napoca",
        "Cluj",
        "400001",
        "Romania",
        "Str. Lungă 3",
        "2023-04-01",
    ]
    run = import_file(admin, csv_bytes([HUBSPOT, row]), "hubspot-crm-exports.csv")
    assert run.created == 1, list(run.rejections.values("column", "reason"))
    carmen = Contact.objects.get()
    assert carmen.owner.email == "vanzari@firma.ro"
    assert carmen.lifecycle_stage.key == "lead"
    assert carmen.source == "import"
    assert carmen.addresses.get().country == "RO"
    # The same file again matches on the HubSpot record id, even with a new e-mail.
    row[3] = "carmen.stan@client.ro"
    again = import_file(admin, csv_bytes([HUBSPOT, row]), mode="update")
    assert (again.created, again.updated) == (0, 1)
    assert sorted(Contact.objects.get().emails.values_list("address", flat=True)) == [
        "carmen.stan@client.ro",
        "carmen@client.ro",
    ]


def test_a_salesforce_export_with_custom_fields_and_notes(admin):
    CustomField.objects.create(
        record_type="contact",
        key="segment",
        label="Segment",
        field_type="choice",
        choices=["SMB", "Enterprise"],
    )
    headers = [*SALESFORCE, "Segment"]
    row = [
        "003A1",
        "Luis",
        "Ortega",
        "Ortega Hermanos",
        "Gerente",
        "luis@ortega.es",
        "+34 915 555 123",
        "",
        "Gran Vía 5",
        "Madrid",
        "Madrid",
        "28013",
        "Spain",
        "admin@firma.ro",
        "Web",
        "Prefers calls after 5pm",
        "Enterprise",
    ]
    run = import_file(admin, csv_bytes([headers, row]))
    assert run.created == 1
    luis = Contact.objects.get()
    assert luis.custom == {"segment": "Enterprise"}
    assert luis.source == "web"
    assert Activity.objects.get().body == "Prefers calls after 5pm"
    assert Company.objects.get().name == "Ortega Hermanos"


# Rejected rows ------------------------------------------------------------------------
def test_broken_rows_are_rejected_with_row_column_and_reason(admin):
    rows = [
        ["Name", "Email", "Phone", "Stage", "Owner"],
        ["Good One", "good@firma.ro", "0722 111 222", "customer", ""],
        ["", "noname@firma.ro", "", "", ""],
        ["Bad Mail", "not-an-email", "", "", ""],
        ["Bad Phone", "phone@firma.ro", "12", "", ""],
        ["Bad Stage", "stage@firma.ro", "", "astronaut", ""],
        ["Bad Owner", "owner@firma.ro", "", "", "nobody@firma.ro"],
        ["Good Two", "two@firma.ro", "", "Lead", "admin@firma.ro"],
    ]
    run = import_file(admin, csv_bytes(rows))
    assert (run.created, run.rejected, run.rows_done, run.total_rows) == (4, 3, 7, 7)
    # An unreadable phone and an owner with no account are warnings: the rows are stored.
    assert names() == ["Bad Owner", "Bad Phone", "Good One", "Good Two"]
    report = list(run.rejections.values_list("row", "column", "reason"))
    assert [(row, column) for row, column, _reason in report] == [
        (3, "Name"),
        (4, "Email"),
        (6, "Stage"),
    ]
    assert "A contact needs a name." in report[0][2]
    assert "not-an-email" in report[1][2]
    assert "astronaut" in report[2][2]
    warnings = list(run.notes.values_list("row", "kind", "column", "message"))
    assert [item[:3] for item in warnings] == [(5, "warning", "Phone"), (7, "warning", "Owner")]
    assert "“12”" in warnings[0][3] and "nobody@firma.ro" in warnings[1][3]
    assert run.warned == 2


def test_rejected_rows_download_as_csv(admin, client):
    rows = [["Name", "Email"], ["Ok", "ok@firma.ro"], ["Bad", "bad@"]]
    run = import_file(admin, csv_bytes(rows))
    client.force_login(admin)
    response = client.get(f"/imports/{run.pk}/rejected.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0] == "Row,Column,Reason,Name,Email"
    assert lines[1].startswith("3,Email,") and lines[1].endswith(",Bad,bad@")


# Duplicates ---------------------------------------------------------------------------
@pytest.fixture
def existing(admin):
    company = customer_services.create_company(actor=admin, data={"name": "Atelier Nord"})
    return customer_services.create_contact(
        actor=admin,
        data={
            "full_name": "Vasile Lupu",
            "emails": ["vasile@nord.ro"],
            "phones": ["0744 100 200"],
            "company": company,
            "position": "Owner",
        },
    )


@pytest.mark.parametrize(
    "row",
    [
        ["Vasile L.", "VASILE@nord.ro", "", ""],  # e-mail, any case
        ["V. Lupu", "", "+40 744 100 200", ""],  # the same phone written another way
    ],
)
def test_duplicates_are_found_by_email_or_phone(admin, existing, row):
    headers = ["Name", "Email", "Phone", "Company"]
    run = import_file(admin, csv_bytes([headers, row]), mode="skip")
    assert (run.created, run.skipped) == (0, 1)
    assert Contact.objects.count() == 1


def test_name_and_company_match_when_neither_has_an_e_mail_or_phone(admin, existing):
    bare = customer_services.create_contact(
        actor=admin, data={"full_name": "Dan Sima", "company": existing.company}
    )
    headers = ["Name", "Email", "Phone", "Company"]
    rows = [
        headers,
        ["dan SIMA", "", "", "atelier nord"],  # neither has one: the same person
        ["Vasile Lupu", "", "", "Atelier Nord"],  # the record has an e-mail: another one
    ]
    run = import_file(admin, csv_bytes(rows), mode="skip")
    assert (run.created, run.skipped) == (1, 1)
    assert Contact.objects.filter(full_name="Dan Sima").get() == bare
    assert Contact.objects.filter(full_name="Vasile Lupu").count() == 2


def test_name_and_company_match_only_a_live_namesake_at_that_company(admin, existing):
    other = customer_services.create_company(actor=admin, data={"name": "Atelier Sud"})
    elsewhere = customer_services.create_contact(
        actor=admin, data={"full_name": "Ana Pop", "company": other}
    )
    trashed = customer_services.create_contact(
        actor=admin, data={"full_name": "Ana Pop", "company": existing.company}
    )
    record_services.trash_record(actor=admin, record=trashed)
    headers = ["Name", "Company", "Position"]
    run = import_file(
        admin, csv_bytes([headers, ["Ana Pop", "Atelier Nord", "Buyer"]]), mode="update"
    )
    assert (run.created, run.updated) == (1, 0)  # not the Sud one, not the trashed one
    newer = customer_services.create_contact(
        actor=admin, data={"full_name": "Vasile Lupu", "company": existing.company}
    )
    again = import_file(
        admin, csv_bytes([headers, ["vasile LUPU", "ATELIER NORD", "Director"]]), mode="update"
    )
    assert (again.created, again.updated) == (0, 1)
    existing.refresh_from_db()
    newer.refresh_from_db()
    elsewhere.refresh_from_db()
    # The namesake without an e-mail or phone, as the row: the other one has an e-mail.
    assert newer.position == "Director" and existing.position == "Owner"
    assert elsewhere.position == ""


def test_duplicate_modes_skip_update_create(admin, existing):
    headers = ["Name", "Email", "Position", "Tags"]
    row = ["Vasile Lupu", "vasile@nord.ro", "Director", "partner"]
    skipped = import_file(admin, csv_bytes([headers, row]), mode="skip")
    assert (skipped.created, skipped.updated, skipped.skipped) == (0, 0, 1)
    existing.refresh_from_db()
    assert existing.position == "Owner"

    updated = import_file(admin, csv_bytes([headers, row]), mode="update")
    assert (updated.created, updated.updated, updated.skipped) == (0, 1, 0)
    existing.refresh_from_db()
    assert existing.position == "Director"
    assert existing.phone == "+40744100200"  # kept: the file had no phone
    assert list(existing.tags.values_list("name", flat=True)) == ["partner"]
    entry = AuditEntry.objects.filter(object_id=existing.pk, action="update").latest("id")
    assert entry.source == "import" and entry.changes["position"] == ["Owner", "Director"]

    created = import_file(admin, csv_bytes([headers, row]), mode="create")
    assert (created.created, created.updated) == (1, 0)
    assert Contact.objects.filter(full_name="Vasile Lupu").count() == 2


def test_duplicates_within_one_file(admin):
    rows = [["Name", "Email"], ["Ana Pop", "ana@pop.ro"], ["Ana Pop", "ANA@pop.ro"]]
    run = import_file(admin, csv_bytes(rows), mode="skip")
    assert (run.created, run.skipped) == (1, 1)


# Dry run ------------------------------------------------------------------------------
def test_dry_run_reports_and_stores_nothing(admin, existing):
    rows = [
        ["Name", "Email", "Company"],
        ["New Person", "new@firma.ro", "Brand New SRL"],
        ["Vasile Lupu", "vasile@nord.ro", ""],
        ["Broken", "broken@", ""],
    ]
    from clientela.core.models import SearchEntry

    def counts():
        models = (Contact, Company, AuditEntry, SearchEntry)
        return [model.objects.count() for model in models]

    before = counts()
    run = import_file(admin, csv_bytes(rows), mode="update", dry_run=True)
    assert (run.created, run.updated, run.skipped, run.rejected) == (1, 1, 0, 1)
    assert counts() == before
    assert run.rejections.get().row == 4
    with pytest.raises(ValidationError):
        services.undo(actor=admin, run=run)


# Preview ------------------------------------------------------------------------------
def test_preview_shows_rows_as_stored(admin):
    rows = [
        ["Name", "Phone", "Email", "Stage"],
        ["Ion Pop", "0722 123 456", "ION@X.RO", "client"],
        ["Bad", "", "x@", ""],
    ]
    run = services.create_run(
        actor=admin, source=io.BytesIO(csv_bytes(rows)), file_name="a.csv", record_type="contact"
    )
    shown = services.preview(run)
    assert shown[0].values["phones"] == "+40722123456"
    assert shown[0].values["emails"] == "ion@x.ro"
    assert shown[0].values["lifecycle_stage"] == "Customer"
    assert shown[1].row == 3 and shown[1].problems[0][0] == "Email"
    assert Contact.objects.count() == 0


# Undo ---------------------------------------------------------------------------------
def test_undo_trashes_created_records_and_reverts_updates(admin, existing):
    rows = [
        ["Name", "Email", "Position", "Company"],
        ["Vasile Lupu", "vasile@nord.ro", "Director", ""],
        ["Nou Venit", "nou@firma.ro", "", "Firmă Nouă"],
    ]
    run = import_file(admin, csv_bytes(rows), mode="update")
    assert (run.created, run.updated) == (1, 1)
    assert services.undo(actor=admin, run=run) == 3  # the contact, its new company, the update
    existing.refresh_from_db()
    assert existing.position == "Owner"
    assert names() == ["Vasile Lupu"]
    assert Company.objects.get(name="Firmă Nouă").deleted_at is not None
    assert Company.objects.get(name="Atelier Nord").deleted_at is None
    run.refresh_from_db()
    assert run.status == "undone"
    undo_entries = AuditEntry.objects.filter(action="undo import")
    assert undo_entries.count() == 3 and set(undo_entries.values_list("source", flat=True)) == {
        "import"
    }


# Limits and errors --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"   \r\n\r\n", "blank.csv", "The file is empty."),
        (b"%PDF-1.7 binary\x00\x01", "contacts.csv", "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "binary file"),
        (b"PK\x03\x04garbage", "archive.zip", "ZIP archive"),
        (b"[{broken json", "x.json", "not valid JSON"),
        (b'{"a": 1, "b": [1, {"c": 2}]}', "x.json", "list of objects"),
        (b"Name\n", "header-only.csv", None),
    ],
)
def test_bad_files_get_clear_errors(admin, settings, data, name, message):
    if message is None:
        run = services.create_run(
            actor=admin, source=io.BytesIO(data), file_name=name, record_type="contact"
        )
        assert run.headers
        return
    with pytest.raises(ValidationError) as error:
        services.create_run(
            actor=admin, source=io.BytesIO(data), file_name=name, record_type="contact"
        )
    assert message in " ".join(error.value.messages)
    # Nothing of a refused file is kept.
    assert not any(Path(settings.IMPORT_DIR).glob("*"))


def test_a_file_over_the_limit_is_refused(admin, settings):
    settings.IMPORT_MAX_BYTES = 1000
    data = csv_bytes([["Name"]] + [["Someone"]] * 200)
    with pytest.raises(ValidationError, match="larger than"):
        services.create_run(
            actor=admin, source=io.BytesIO(data), file_name="big.csv", record_type="contact"
        )


def test_wrong_record_type_and_role_without_import(admin, db):
    with pytest.raises(ValidationError, match="Choose what the file holds"):
        services.create_run(
            actor=admin, source=io.BytesIO(b"Name\nA\n"), file_name="a.csv", record_type="deals"
        )
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    with pytest.raises(PermissionDenied):
        services.create_run(
            actor=rep, source=io.BytesIO(b"Name\nA\n"), file_name="a.csv", record_type="contact"
        )


def test_companies_import(admin):
    rows = [
        ["Denumire", "CUI", "Website", "Stare", "Email"],
        ["Lactate Sud SRL", "RO123", "lactatesud.ro", "prospect", "office@lactatesud.ro"],
        ["Fără Nume", "", "", "nonsense", ""],
    ]
    run = import_file(admin, csv_bytes(rows), record_type="company")
    assert (run.created, run.rejected) == (1, 1)
    company = Company.objects.get()
    assert (company.tax_id, company.website, company.status, company.email) == (
        "RO123",
        "https://lactatesud.ro",
        "prospect",
        "office@lactatesud.ro",
    )


def test_detection_helpers():
    assert reading.detect_delimiter("a;b;c\n1;2;3\n") == ";"
    assert reading.detect_encoding("Ştefan".encode("cp1250")) == "cp1250"
    assert reading.detect_encoding("Peña".encode("cp1252")) == "cp1252"
    assert reading.detect_encoding("\ufeffa".encode()) == "utf-8-sig"
    assert ImportRun.Status.DONE == "done"


def test_a_row_repeating_a_contact_of_the_same_batch_updates_it(admin):
    rows = [
        ["Name", "Email", "Position", "Tags"],
        ["Ana Pop", "ana@pop.ro", "", "a"],
        ["Ana Pop", "ANA@pop.ro", "Director", "b"],
    ]
    run = import_file(admin, csv_bytes(rows), mode="update")
    assert (run.created, run.updated) == (1, 1)
    ana = Contact.objects.get()
    assert ana.position == "Director"
    assert sorted(ana.tags.values_list("name", flat=True)) == ["a", "b"]


def test_a_new_company_named_by_many_rows_is_written_once_audited_and_searchable(admin):
    rows = [
        ["Name", "Email", "Company"],
        ["Ana Pop", "ana@pop.ro", "Fabrica Nouă"],
        ["Ion Pop", "ion@pop.ro", "FABRICA NOUA"],  # the same name, other case and accents
        ["Eva Pop", "eva@pop.ro", "Fabrica Nouă"],
    ]
    run = import_file(admin, csv_bytes(rows))
    assert run.created == 3
    company = Company.objects.get()
    assert company.name == "Fabrica Nouă" and company.owner == admin
    assert set(Contact.objects.values_list("company_id", flat=True)) == {company.pk}
    entry = AuditEntry.objects.get(
        object_id=company.pk, action="create", state__name="Fabrica Nouă"
    )
    assert entry.source == "import" and entry.actor == admin
    assert entry.state["emails"] == [] and entry.changes["name"] == [None, "Fabrica Nouă"]
    from clientela.core import search

    titles = [r.title for r in search.search(admin, "fabrica")]
    assert titles.count("Fabrica Nouă") == 1 and len(titles) == 4  # it, and its 3 people
    assert run.records.filter(record_type="company", object_id=company.pk, created=True).exists()


def test_a_rejected_update_takes_its_new_company_back_and_a_later_row_creates_it(
    admin, existing, monkeypatch
):
    real_update = customer_services.update_contact

    def refusing_update(*, actor, contact, data, expected_version):
        if data.get("position") == "Refused":
            # The contact's new company is written by now: the row's savepoint must take
            # it back.
            assert Company.objects.filter(name="Firmă Nouă").exists()
            raise ValidationError({"position": "Not this one."})
        return real_update(
            actor=actor, contact=contact, data=data, expected_version=expected_version
        )

    monkeypatch.setattr(customer_services, "update_contact", refusing_update)
    rows = [
        ["Name", "Email", "Position", "Company"],
        ["Vasile Lupu", "vasile@nord.ro", "Refused", "Firmă Nouă"],  # updates, refused
        ["Nou Venit", "nou@firma.ro", "", "Firmă Nouă"],  # new contact, same new company
    ]
    run = import_file(admin, csv_bytes(rows), mode="update")
    assert (run.created, run.updated, run.rejected) == (1, 0, 1)
    company = Company.objects.get(name="Firmă Nouă")
    assert Contact.objects.get(full_name="Nou Venit").company == company
    created = AuditEntry.objects.filter(content_type__model="company", action="create")
    assert created.filter(object_id=company.pk).count() == 1
    assert run.records.filter(record_type="company").count() == 1


def test_a_trashed_record_with_the_same_e_mail_or_phone_is_not_a_duplicate(admin):
    gone = customer_services.create_contact(
        actor=admin,
        data={"full_name": "Old Ana", "emails": ["ana@pop.ro"], "phones": ["0722 000 111"]},
    )
    record_services.trash_record(actor=admin, record=gone)
    headers = ["Name", "Email", "Phone", "Position"]
    first = import_file(
        admin, csv_bytes([headers, ["Ana Pop", "ana@pop.ro", "", "Buyer"]]), mode="update"
    )
    assert (first.created, first.updated) == (1, 0)  # the trashed one is left alone
    ana = Contact.objects.get(full_name="Ana Pop", deleted_at__isnull=True)
    by_phone = ["Ana P.", "", "+40 722 000 111", "Director"]
    run = import_file(
        admin, csv_bytes([headers, ["Ana Pop", "ANA@pop.ro", "", "Director"]]), mode="update"
    )
    assert (run.created, run.updated) == (0, 1)  # the live one with that e-mail is
    ana.refresh_from_db()
    gone.refresh_from_db()
    assert ana.position == "Director" and gone.position == ""
    phone_run = import_file(admin, csv_bytes([headers, by_phone]), mode="update")
    assert (phone_run.created, phone_run.updated) == (1, 0)  # only the trashed one has it
