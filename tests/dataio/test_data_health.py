"""Data health: the phone numbers an import kept as written because it could not check
them, listed (a page at a time, only on records the reader may see) with a way to each
record to correct them; a corrected number is checked and leaves the list."""

from __future__ import annotations

import pytest

from clientela.customers import services as customer_services
from clientela.customers.models import Contact, PhoneNumber
from clientela.users.models import Role
from clientela.users.services import create_user, team_named
from tests.dataio.importing_helpers import csv_bytes, import_file


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.PHONE_REGION = "RO"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


ROWS = [
    ["Name", "Email", "Phone", "Mobile", "Country"],
    # A Spanish mobile on a Romanian row: possible as +40 6…, assigned to no line there.
    ["Ana Gil", "ana@gil.es", "612 345 678", "0722 123 456", "Romania"],
    ["Dan Pop", "dan@pop.ro", "0722 12", "", ""],
    ["Ion Ene", "ion@ene.ro", "0722 000 001", "", ""],
]


def test_numbers_an_import_could_not_check_are_listed_with_their_records(client, admin):
    run = import_file(admin, csv_bytes(ROWS))
    assert (run.created, run.rejected) == (3, 0)
    ana = Contact.objects.get(email="ana@gil.es")
    # Never stored under a wrong country code; the checked number stays the main one.
    assert ana.phone == "+40722123456"
    assert not PhoneNumber.objects.filter(e164="+40612345678").exists()
    client.force_login(admin)
    page = client.get("/imports/data-health/").content.decode()
    assert "Unverified phone numbers" in page
    assert "612 345 678" in page and "0722 12" in page
    assert "0722 000 001" not in page and "0722 123 456" not in page  # checked ones
    assert f'href="/contacts/{ana.pk}/"' in page
    assert f'href="/contacts/{ana.pk}/edit/"' in page
    # Corrected on the contact's page, the number is checked and leaves the list.
    customer_services.update_contact(
        actor=admin,
        contact=ana,
        data={"phones": ["+34 612 345 678", "0722 123 456"]},
        expected_version=None,
    )
    assert list(ana.phones.values_list("e164", "verified")) == [
        ("+34612345678", True),
        ("+40722123456", True),
    ]
    page = client.get("/imports/data-health/").content.decode()
    assert "612 345 678" not in page and "0722 12" in page


def test_a_second_import_of_the_row_keeps_the_unverified_number_once(admin):
    import_file(admin, csv_bytes(ROWS))
    again = import_file(admin, csv_bytes(ROWS), mode="update")
    assert (again.created, again.updated, again.rejected) == (0, 3, 0)
    dan = Contact.objects.get(email="dan@pop.ro")
    assert list(dan.phones.values_list("raw", "verified")) == [("0722 12", False)]


def test_the_list_shows_only_records_the_reader_may_see_a_page_at_a_time(client, admin):
    cluj = team_named("Cluj")
    importer = Role.objects.create(
        key="team-importer",
        name="Team importer",
        permissions={
            "records": {"contact": {"view": "team"}, "company": {"view": "team"}},
            "capabilities": ["import"],
        },
    )
    lead = create_user(email="lead@firma.ro", role=importer, team=cluj)
    mine = customer_services.create_contact(
        actor=admin, data={"full_name": "Maria Cluj", "owner": lead}
    )
    theirs = customer_services.create_contact(actor=admin, data={"full_name": "Străin Secret"})
    for contact, raw in ((mine, "0722 11"), (theirs, "0722 99")):
        PhoneNumber.objects.create(
            contact=contact, raw=raw, e164=raw.replace(" ", ""), digits="x", verified=False
        )
    client.force_login(lead)
    page = client.get("/imports/data-health/").content.decode()
    assert "Maria Cluj" in page and "0722 11" in page
    assert "Străin" not in page and "0722 99" not in page
    # Newest first, a page at a time, never counting them all.
    client.force_login(admin)
    contacts = [
        customer_services.create_contact(actor=admin, data={"full_name": f"Persoana {i:02d}"})
        for i in range(55)
    ]
    PhoneNumber.objects.bulk_create(
        PhoneNumber(contact=c, raw=f"07 {i:02d}", e164=f"07{i:02d}", digits="x", verified=False)
        for i, c in enumerate(contacts)
    )
    first = client.get("/imports/data-health/")
    assert "Persoana 54" in first.content.decode() and "Maria Cluj" not in first.content.decode()
    after = first.context["page"].next_cursor
    second = client.get(f"/imports/data-health/?after={after}").content.decode()
    assert "Persoana 54" not in second
    assert "Maria Cluj" in second and "Străin Secret" in second
    assert client.get("/imports/data-health/?after=nonsense").status_code == 200
