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
    # Each number with its form to correct it in place.
    phone = ana.phones.get(verified=False)
    assert f'action="/imports/data-health/{phone.pk}/correct/"' in page
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


@pytest.fixture
def unverified(admin):
    """Dan's number an import kept as written, one digit short, beside a checked one."""
    dan = customer_services.create_contact(
        actor=admin,
        data={
            "full_name": "Dan Pop",
            "phones": ["0722 000 001"],
            "addresses": [{"city": "Madrid", "country": "ES"}],
        },
    )
    phone = PhoneNumber.objects.create(
        contact=dan, raw="61234567", e164="61234567", digits="61234567", verified=False, position=1
    )
    dan.refresh_from_db()
    return dan, phone


def _form(phone, number, country, version=""):
    prefix = f"phone-{phone.pk}"
    return {f"{prefix}-number": number, f"{prefix}-country": country, f"{prefix}-version": version}


def test_the_form_starts_from_the_number_kept_and_the_records_country(client, admin, unverified):
    _dan, phone = unverified
    client.force_login(admin)
    page = client.get("/imports/data-health/")
    html = page.content.decode()
    # The address says Spain (the installation says Romania): the country offered is ES.
    assert f'name="phone-{phone.pk}-country" list="phone-countries"' in html
    form = next(form for _phone, _record, form in page.context["rows"] if _phone.pk == phone.pk)
    assert form["number"].value() == "61234567"
    assert form["country"].value() == "ES"
    assert '<option value="ES">Spain +34</option>' in html
    # A company without an address: the installation's country.
    firma = customer_services.create_company(actor=admin, data={"name": "Firma SRL"})
    PhoneNumber.objects.create(
        company=firma, raw="12 34", e164="1234", digits="1234", verified=False
    )
    page = client.get("/imports/data-health/")
    form = next(form for _phone, record, form in page.context["rows"] if record == firma)
    assert form["country"].value() == "RO"


def test_a_corrected_number_is_stored_in_e164_verified_and_audited(client, admin, unverified):
    from clientela.core.models import AuditEntry

    dan, phone = unverified
    client.force_login(admin)
    audits = AuditEntry.objects.count()
    response = client.post(
        f"/imports/data-health/{phone.pk}/correct/",
        _form(phone, "612 345 678", "ES", dan.version),
        follow=True,
    )
    assert response.redirect_chain == [("/imports/data-health/", 302)]
    page = response.content.decode()
    assert "+34 612 345 678 is checked and stored" not in page  # the main number is Dan's first
    assert "Dan Pop: +40 722 000 001 is checked and stored." in page
    assert list(dan.phones.values_list("raw", "e164", "verified", "kind")) == [
        ("0722 000 001", "+40722000001", True, "work"),
        ("612 345 678", "+34612345678", True, "work"),
    ]
    assert "61234567" not in page  # left the list
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_id, entry.actor_id) == ("update", dan.pk, admin.pk)
    # Found by the number the way it is written in Spain.
    from clientela.customers import selectors as customer_selectors

    assert dan in customer_selectors.contacts_for(admin).filter(phones__e164="+34612345678")


def test_only_the_country_changed_checks_the_number_kept(client, admin):
    contact = customer_services.create_contact(actor=admin, data={"full_name": "Ana Gil"})
    phone = PhoneNumber.objects.create(
        contact=contact, raw="612 345 678", e164="612345678", digits="612345678", verified=False
    )
    client.force_login(admin)
    response = client.post(f"/imports/data-health/{phone.pk}/correct/", _form(phone, "", "es"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+34612345678"  # its only number, so the main one
    assert list(contact.phones.values_list("e164", "verified")) == [("+34612345678", True)]


@pytest.mark.parametrize(
    ("number", "country", "field", "message"),
    [
        ("612 345 678", "RO", "number", "is not a valid phone number in RO"),
        ("0722 1", "RO", "number", "too few or too many digits"),
        ("call me", "RO", "number", "is not a phone number"),
        ("612 345 678", "XX", "country", "Choose the country the number is from."),
        ("612 345 678", "", "country", "Choose the country the number is from."),
    ],
)
def test_a_number_still_wrong_is_refused_beside_its_field_and_nothing_is_written(
    client, admin, unverified, number, country, field, message
):
    from clientela.core.models import AuditEntry

    dan, phone = unverified
    client.force_login(admin)
    before = list(dan.phones.values_list("pk", "raw", "e164", "verified"))
    audits, version = AuditEntry.objects.count(), dan.version
    response = client.post(
        f"/imports/data-health/{phone.pk}/correct/", _form(phone, number, country, dan.version)
    )
    assert response.status_code == 400
    html = response.content.decode()
    error_id = f"id_phone-{phone.pk}-{field}-error"
    assert f'id="{error_id}" role="alert">' in html
    shown = html.split(f'id="{error_id}" role="alert">')[1].split("</div>")[0]
    assert message in shown.replace("&quot;", '"')
    # What was typed stays in the field to mend it.
    assert f'value="{number}"' in html
    assert list(dan.phones.values_list("pk", "raw", "e164", "verified")) == before
    dan.refresh_from_db()
    assert (AuditEntry.objects.count(), dan.version) == (audits, version)


def test_a_stale_form_or_someone_elses_number_writes_nothing(client, admin, unverified):
    dan, phone = unverified
    client.force_login(admin)
    opened = dan.version  # the page was opened, then someone saved Dan
    customer_services.update_contact(
        actor=admin, contact=dan, data={"position": "Buyer"}, expected_version=None
    )
    response = client.post(
        f"/imports/data-health/{phone.pk}/correct/",
        _form(phone, "612 345 678", "ES", opened),
        follow=True,
    )
    assert "was changed by someone else" in response.content.decode()
    phone.refresh_from_db()
    assert (phone.e164, phone.verified) == ("61234567", False)
    # A checked number, or one on a record the user may not see, is not there to correct.
    ion = customer_services.create_contact(
        actor=admin, data={"full_name": "Ion Ene", "phones": ["0722 000 002"]}
    )
    checked = ion.phones.get()
    assert (
        client.post(
            f"/imports/data-health/{checked.pk}/correct/", _form(checked, "0722 000 003", "RO")
        ).status_code
        == 404
    )
    # A role that may import and see every contact, but change none: refused, unchanged.
    looker = Role.objects.create(
        key="import-looker",
        name="Import looker",
        permissions={"records": {"contact": {"view": "all"}}, "capabilities": ["import"]},
    )
    client.force_login(create_user(email="looker@firma.ro", role=looker))
    dan.refresh_from_db()
    response = client.post(
        f"/imports/data-health/{phone.pk}/correct/",
        _form(phone, "612 345 678", "ES", dan.version),
        follow=True,
    )
    assert "61234567" in response.content.decode()  # still listed
    assert "You may not change Dan Pop." in response.content.decode()
    phone.refresh_from_db()
    assert (phone.e164, phone.verified) == ("61234567", False)


def test_a_main_phone_kept_as_written_is_marked_unverified_where_it_shows(client, admin):
    dan = customer_services.create_contact(actor=admin, data={"full_name": "Dan Pop"})
    ion = customer_services.create_contact(
        actor=admin, data={"full_name": "Ion Ene", "phones": ["0722 000 001"]}
    )
    PhoneNumber.objects.create(
        contact=dan, raw="0722 12", e164="072212", digits="072212", verified=False
    )
    Contact.objects.filter(pk=dan.pk).update(phone="072212")  # as an import stores it
    client.force_login(admin)

    def badge_after(html: str, number: str) -> bool:
        after = html.rsplit(number, 1)[1][:250]  # after the number shown
        return "unverified</span>" in after

    page = client.get(f"/contacts/{dan.pk}/").content.decode()
    header = page.split('id="record-header"')[1].split("</header>")[0]
    assert badge_after(header, "072212")
    facts = page.split('id="facts-card"')[1].split("</section>")[0]
    assert badge_after(facts, "072212")
    listing = client.get("/contacts/").content.decode()
    assert badge_after(listing, "072212")
    # A checked number carries no such mark.
    page = client.get(f"/contacts/{ion.pk}/").content.decode()
    assert "+40 722 000 001" in page and "unverified" not in page
    assert not badge_after(listing, "+40 722 000 001")
