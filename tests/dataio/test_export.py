"""Exports: lists with their filters in four formats, only what the role may see, formulas
neutralised; one person's data; the full export of everything."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from clientela.activities import services as activity_services
from clientela.core.models import CustomField
from clientela.core.text import spreadsheet_safe
from clientela.customers import services
from clientela.dataio.exporting import services as exporting
from clientela.dataio.importing import vcard
from clientela.users.models import Role
from clientela.users.services import create_user, role_named, team_named


@pytest.fixture
def people(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    team = team_named("Cluj")
    admin = create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)
    marketer = create_user(email="mk@firma.ro", role=role_named("marketing"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    other_rep = create_user(email="other@firma.ro", role=role_named("sales-representative"))
    CustomField.objects.create(
        record_type="contact", key="salary", label="Salary", field_type="number", sensitive=True
    )
    CustomField.objects.create(
        record_type="contact", key="segment", label="Segment", field_type="text"
    )
    company = services.create_company(
        actor=admin, data={"name": '=HYPERLINK("http://evil")', "tax_id": "RO999"}
    )
    mine = services.create_contact(
        actor=rep,
        data={
            "full_name": "Maria Vânzătoarea",
            "emails": ["maria@client.ro"],
            "phones": ["0722 123 456"],
            "company": company,
            "tags": ["vip"],
            "custom": {"salary": 5000, "segment": "@SUM(1+1)*cmd|' /C calc'!A0"},
        },
    )
    theirs = services.create_contact(
        actor=other_rep, data={"full_name": "Străin Secret", "emails": ["strain@x.ro"]}
    )
    return {
        "admin": admin,
        "marketer": marketer,
        "rep": rep,
        "mine": mine,
        "theirs": theirs,
        "company": company,
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_of(response) -> list[list[str]]:
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_is_limited_to_what_the_role_sees(client, people):
    client.force_login(people["rep"])
    response = client.get("/exports/contact/?format=csv")
    assert response.status_code == 403  # a sales representative's role has no "export"
    client.force_login(people["marketer"])
    rows = rows_of(client.get("/exports/contact/?format=csv"))
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == ["Maria Vânzătoarea", "Străin Secret"]  # marketing sees all
    # A role that may export but sees only its team's records exports only those.
    team_exporter = Role.objects.create(
        key="team-exporter",
        name="Team exporter",
        permissions={
            "records": {"contact": {"view": "team"}, "company": {"view": "team"}},
            "capabilities": ["export"],
        },
    )
    lead = create_user(email="lead@firma.ro", role=team_exporter, team=team_named("Cluj"))
    client.force_login(lead)
    for fmt in ("csv", "json", "vcard"):
        text = body(client.get(f"/exports/contact/?format={fmt}"))
        assert "Străin".encode() not in text, fmt
    rows = rows_of(client.get("/exports/contact/?format=csv"))
    assert [row[1] for row in rows[1:]] == ["Maria Vânzătoarea"]


def test_csv_export_follows_the_lists_filters(client, people):
    client.force_login(people["admin"])
    rows = rows_of(client.get("/exports/contact/?format=csv&tag=vip"))
    assert [row[1] for row in rows[1:]] == ["Maria Vânzătoarea"]
    rows = rows_of(client.get("/exports/contact/?format=csv&q=strain"))
    assert [row[1] for row in rows[1:]] == ["Străin Secret"]


def test_sensitive_fields_are_left_out_for_roles_without_see_sensitive(client, people):
    client.force_login(people["marketer"])
    contacts = rows_of(client.get("/exports/contact/?format=csv"))
    assert "Salary" not in contacts[0] and "Segment" in contacts[0]
    assert "5000" not in body(client.get("/exports/contact/?format=json")).decode()
    companies = rows_of(client.get("/exports/company/?format=csv"))
    assert "Tax id" not in companies[0]
    assert "RO999" not in ",".join(companies[1])
    client.force_login(people["admin"])
    companies = rows_of(client.get("/exports/company/?format=csv"))
    assert companies[1][companies[0].index("Tax id")] == "RO999"
    contacts = rows_of(client.get("/exports/contact/?format=csv&tag=vip"))
    assert contacts[1][contacts[0].index("Salary")] == "5000"


def test_formulas_are_neutralised_in_csv_and_xlsx(client, people):
    from openpyxl import load_workbook

    client.force_login(people["admin"])
    rows = rows_of(client.get("/exports/contact/?format=csv&tag=vip"))
    header, row = rows[0], rows[1]
    assert row[header.index("Company")] == '\'=HYPERLINK("http://evil")'
    assert row[header.index("Segment")].startswith("'@SUM")
    assert row[header.index("Phone")] == "+40722123456"  # a phone number is not a formula
    response = client.get("/exports/contact/?format=xlsx&tag=vip")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(body(response))).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[1][values[0].index("Company")] == '\'=HYPERLINK("http://evil")'
    assert all(cell.data_type == "s" for cell in next(sheet.iter_rows(min_row=2)) if cell.value)


def test_json_and_vcard_exports(client, people):
    client.force_login(people["admin"])
    data = json.loads(body(client.get("/exports/contact/?format=json&tag=vip")))
    assert data[0]["emails"] == [{"address": "maria@client.ro", "kind": "work"}]
    assert data[0]["custom"] == {"salary": 5000, "segment": "@SUM(1+1)*cmd|' /C calc'!A0"}
    text = body(client.get("/exports/contact/?format=vcard")).decode()
    assert text.count("BEGIN:VCARD") == 2
    # What we write, we read back.
    cards = list(vcard.cards(io.StringIO(text)))
    maria = next(card for card in cards if card["E-mail"] == "maria@client.ro")
    assert maria["Full name"] == "Maria Vânzătoarea" and maria["Phone"] == "+40722123456"
    assert maria["Categories"] == "vip"


def test_an_export_imports_back(client, people, settings, tmp_path):
    from tests.dataio.importing_helpers import import_file

    settings.IMPORT_DIR = tmp_path / "imports"
    client.force_login(people["admin"])
    exported = body(client.get("/exports/contact/?format=csv"))
    people["mine"].delete()
    people["theirs"].delete()
    run = import_file(people["admin"], exported)
    assert (run.created, run.rejected) == (2, 0), list(run.rejections.values("column", "reason"))


def test_a_persons_data(client, people):
    mine = people["mine"]
    activity_services.log_activity(actor=people["rep"], record=mine, kind="note", body="Likes tea")
    activity_services.attach_file(
        actor=people["rep"], record=mine, upload=SimpleUploadedFile("contract.pdf", b"%PDF-1")
    )
    client.force_login(people["marketer"])
    data = json.loads(body(client.get(f"/contacts/{mine.pk}/data/")))
    assert data["contact"]["full_name"] == "Maria Vânzătoarea"
    assert "salary" not in data["contact"]["custom"]
    assert [entry["body"] for entry in data["timeline"]] == ["Likes tea"]
    assert [f["name"] for f in data["files"]] == ["contract.pdf"]
    assert data["history"][0]["action"] == "create"
    client.force_login(people["rep"])
    assert client.get(f"/contacts/{mine.pk}/data/").status_code == 403
    create_user(email="mk2@firma.ro", role=role_named("marketing"))
    # A role that sees only its own records gets nothing about someone else's contact.
    client.force_login(people["admin"])
    assert client.get("/contacts/999999/data/").status_code == 404


def test_a_persons_data_holds_the_projects_done_for_them(client, people):
    import datetime

    from clientela.projects import services as project_services

    mine = people["mine"]
    project_services.create_project(
        actor=people["admin"],
        data={
            "name": "Grădină nouă",
            "client": mine,
            "status": "active",
            "due_date": datetime.date(2026, 3, 31),
        },
    )
    client.force_login(people["admin"])
    data = json.loads(body(client.get(f"/contacts/{mine.pk}/data/")))
    assert data["projects"] == [
        {
            "name": "Grădină nouă",
            "status": "active",
            "start_date": "",
            "due_date": "2026-03-31",
            "description": "",
        }
    ]


def test_full_export_holds_every_table_file_and_the_audit_trail(people, settings):
    activity_services.attach_file(
        actor=people["admin"],
        record=people["mine"],
        upload=SimpleUploadedFile("offer.pdf", b"%PDF-offer"),
    )
    out = io.StringIO()
    path = settings.DATA_DIR / "all.zip"
    call_command("export-all", "--output", str(path), stdout=out)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        contacts = [
            json.loads(line) for line in archive.read("tables/customers.contact.jsonl").splitlines()
        ]
        audit = archive.read("tables/core.auditentry.jsonl").decode()
        users = archive.read("tables/users.user.jsonl").decode()
        file_names = [f["path"] for f in manifest["files"]]
        assert any(name.endswith("offer.pdf") for name in file_names)
        assert archive.read(file_names[0]) == b"%PDF-offer"
        csv_text = archive.read("contacts.csv").decode("utf-8-sig")
    assert manifest["format"] == "clientela-export" and manifest["format_version"] == 1
    assert manifest["tables"]["customers.contact"]["rows"] == 2
    assert "customers.contact" in manifest["content_types"].values()
    assert sorted(c["full_name"] for c in contacts) == ["Maria Vânzătoarea", "Străin Secret"]
    assert "Maria Vânzătoarea" in audit and '"action": "create"' in audit
    assert "password" not in users and "admin@firma.ro" in users
    assert "tables/activities.attachment.jsonl" in names
    tags = json.loads(
        zipfile.ZipFile(path).read("tables/customers.contact_tags.jsonl").splitlines()[0]
    )
    assert set(tags) == {"id", "contact_id", "tag_id"} and tags["contact_id"]
    assert "Salary" in csv_text  # everything, sensitive fields included
    assert "Exported" in out.getvalue()


def test_full_export_page_is_for_administrators(client, people):
    client.force_login(people["marketer"])
    assert client.get("/settings/export/").status_code == 403
    client.force_login(people["admin"])
    assert client.get("/settings/export/").status_code == 200
    response = client.post("/settings/export/", follow=True)
    page = response.content.decode()
    assert "written: everything" in page
    name = exporting.export_archives()[0].name
    download = client.get(f"/settings/export/{name}/download/")
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(body(download))).read("manifest.json")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+40 722 123 456", "+40 722 123 456"),
        ("-12.5", "-12.5"),
        ("Ana", "Ana"),
        (None, ""),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize("record_type", ["contact", "company"])
def test_export_queries_do_not_grow_with_rows(client, people, record_type):
    """Also what keeps ListExport's `only` columns whole: a column read but not loaded
    would cost a query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["admin"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(client.get(f"/exports/{record_type}/?format=csv"))
        return len(captured)

    few = queries()
    create = services.create_contact if record_type == "contact" else services.create_company
    name = "full_name" if record_type == "contact" else "name"
    for i in range(40):
        create(
            actor=people["admin"],
            data={name: f"Extra {i}", "emails": [f"e{i}@x.ro"], "tags": ["t"]},
        )
    assert queries() == few


def test_each_contacts_emails_phones_addresses_and_tags_stay_its_own_across_chunks(
    client, people, monkeypatch
):
    """Chunks of 3 over 12 contacts with 0 to 3 of each: every e-mail, phone and tag is
    exported on its own contact's row, in the order the contact's page shows them."""
    from clientela.customers import listing
    from clientela.customers.models import Contact, EmailAddress

    monkeypatch.setattr(exporting, "CHUNK", 3)
    admin = people["admin"]
    for i in range(10):
        services.create_contact(
            actor=admin,
            data={
                "full_name": f"Chunk {i}",
                "emails": [f"c{i}.{j}@x.ro" for j in range(i % 4)],
                "phones": [f"0722 100 {i}{j:02d}" for j in range((i + 1) % 3)],
                "addresses": [{"street": f"Str. {i}", "city": "Cluj"}] if i % 2 else [],
                "tags": [f"T{i}-{j}" for j in range(i % 3)] + (["vip"] if i % 5 == 0 else []),
            },
        )
    # One contact's first e-mail moved last: the order is position, then id.
    moved = EmailAddress.objects.get(address="c3.0@x.ro")
    EmailAddress.objects.filter(pk=moved.pk).update(position=9)

    contacts = Contact.objects.order_by("id").prefetch_related("emails", "phones", "tags")
    addresses = {c.pk: list(c.addresses.all()[:1]) for c in contacts}
    expected = {
        c.pk: {
            "emails": [e.address for e in c.emails.all()],
            "phones": [p.e164 for p in c.phones.all()],
            "tags": [t.name for t in c.tags.all()],
            "street": addresses[c.pk][0].street if addresses[c.pk] else "",
        }
        for c in contacts
    }
    assert len(expected) == 12 and expected[moved.contact_id]["emails"][-1] == "c3.0@x.ro"

    export = exporting.ListExport(admin, "contact", listing.base_queryset(admin, "contact"))
    records = list(export.records())
    assert [r["id"] for r in records] == sorted(expected)
    for record in records:
        assert {
            "emails": [e["address"] for e in record["emails"]],
            "phones": [p["number"] for p in record["phones"]],
            "tags": record["tags"],
            "street": record["address"]["street"],
        } == expected[record["id"]], record["full_name"]

    client.force_login(admin)
    rows = rows_of(client.get("/exports/contact/?format=csv"))
    header = rows[0]
    for row in rows[1:]:
        wanted = expected[int(row[0])]
        assert row[header.index("E-mail")] == "; ".join(wanted["emails"])
        assert row[header.index("Phone")].lstrip("'") == "; ".join(wanted["phones"])
        assert row[header.index("Tags")] == ", ".join(wanted["tags"])
        assert row[header.index("Street")] == wanted["street"]
    assert len(rows) == 13
