"""Deals from another CRM's export (tests/dataio/files/pipedrive-deals.csv) through the same
import: stages, amounts, companies and contacts found or made, owners with no account and
unknown stages as warnings, a second import skipping the deals it has, undo."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.activities.models import Activity
from clientela.customers import services as customer_services
from clientela.customers.models import Company
from clientela.dataio.importing import mapping, services
from clientela.deals.models import Deal
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file

DEALS = (Path(__file__).parent / "files" / "pipedrive-deals.csv").read_bytes()


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def maria(admin):
    company = customer_services.create_company(actor=admin, data={"name": "Lactate Sud SRL"})
    return customer_services.create_contact(
        actor=admin,
        data={"full_name": "Maria Popescu", "emails": ["maria@lactatesud.ro"], "company": company},
    )


def test_a_pipedrive_deals_export_maps_itself(db):  # custom fields are read too
    headers = DEALS.decode().splitlines()[0].split(",")
    assert mapping.guess(headers, "deal") == [
        "external_id",
        "deal_name",
        "amount",
        "currency",
        "deal_stage",
        "company",
        "contact_email",
        "expected_close",
        "owner",
        "note",
    ]


def test_deals_are_imported_with_their_stage_company_and_contacts(admin, maria):
    run = import_file(admin, DEALS, "deals.csv", record_type="deal")
    assert run.status == "done", run.error
    assert (run.created, run.rejected, run.warned) == (3, 2, 2)
    fridges = Deal.objects.get(name="Lactate Sud: 40 fridges")
    assert (fridges.amount, fridges.currency) == (Decimal("12500.50"), "EUR")
    assert fridges.stage.name == "Proposal sent"
    assert fridges.company == maria.company
    assert list(fridges.contacts.all()) == [maria]
    assert fridges.expected_close == datetime.date(2027, 3, 31)
    assert fridges.owner == admin
    note = Activity.objects.get(
        links__content_type=ContentType.objects.get_for_model(Deal), links__object_id=fridges.pk
    )
    assert note.body == "Wants delivery in March"
    renewal = Deal.objects.get(name="Brutăria Veche renewal")
    assert renewal.expected_close == datetime.date(2027, 4, 15)
    assert renewal.company.name == "Brutăria Veche" and not renewal.contacts.exists()
    pilot = Deal.objects.get(name="Ortega Hermanos pilot")
    assert pilot.stage == pilot.pipeline.stages.first()  # "Demo booked" is no stage here
    warnings = list(run.notes.values_list("row", "column", "message"))
    assert [(row, column) for row, column, _message in warnings] == [
        (3, "Deal - Owner"),
        (3, "Person - Email"),
        (4, "Deal - Stage"),
    ]
    assert "Radu Vânzări" in warnings[0][2] and "nobody@nowhere.ro" in warnings[1][2]
    rejected = list(run.rejections.values_list("row", "column"))
    assert rejected == [(5, "Deal - Title"), (6, "Deal - Expected close date")]


def test_a_second_import_skips_the_deals_it_has_and_undo_takes_them_back(admin, maria):
    first = import_file(admin, DEALS, "deals.csv", record_type="deal")
    again = import_file(admin, DEALS, "deals.csv", record_type="deal", mode="skip")
    assert (again.created, again.skipped) == (0, 3)
    assert "the same ID in the old system (d-1)" in again.notes.get(row=2).message
    assert Deal.objects.count() == 3
    services.undo(actor=admin, run=first)
    assert not Deal.objects.filter(deleted_at__isnull=True).exists()
    # The companies the import made go too; the one that was there stays.
    live = Company.objects.filter(deleted_at__isnull=True)
    assert list(live.values_list("name", flat=True)) == ["Lactate Sud SRL"]


CORRECTED = csv_bytes(
    [
        ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage",
         "Person - Email", "Deal - Expected close date", "Deal - Notes"],
        ["d-1", "Lactate Sud: 45 fridges", "14000", "EUR", "Negotiation",
         "ion@lactatesud.ro", "2027-05-31", "Wants delivery in May"],
        ["d-3", "Ortega Hermanos pilot", "1200", "EUR", "", "", "", ""],
        ["d-9", "Nou: Cafe Sol", "500", "EUR", "", "", "", ""],
    ]
)  # fmt: skip


def test_a_corrected_file_updates_the_deals_it_has_and_undo_puts_them_back(admin, maria):
    ion = customer_services.create_contact(
        actor=admin, data={"full_name": "Ion Pop", "emails": ["ion@lactatesud.ro"]}
    )
    first = import_file(admin, DEALS, "deals.csv", record_type="deal")
    fridges = Deal.objects.get(name="Lactate Sud: 40 fridges")
    proposal, pilot_amount = fridges.stage, Deal.objects.get(name="Ortega Hermanos pilot").amount
    notes = Activity.objects.filter(kind="note").count()
    again = import_file(admin, CORRECTED, "deals.csv", record_type="deal", mode="update")
    assert (again.created, again.updated, again.rejected) == (1, 2, 0), list(
        again.rejections.values("reason")
    )
    assert "the same ID (d-1)" in again.notes.get(row=2, kind="merged").message
    assert Deal.objects.count() == 4  # one new, the two known ones not duplicated
    fridges.refresh_from_db()
    # What the file gives changes; what it leaves out stays; people are added to.
    assert fridges.name == "Lactate Sud: 45 fridges"
    assert (fridges.amount, fridges.currency) == (Decimal("14000"), "EUR")
    assert fridges.stage.name == "Negotiation" and fridges.stage.pipeline == proposal.pipeline
    assert fridges.expected_close == datetime.date(2027, 5, 31)
    assert fridges.company == maria.company and fridges.owner == admin
    assert set(fridges.contacts.all()) == {maria, ion}
    # The file's new note is added to the deal's; the one it had is not written twice.
    assert deal_notes(fridges) == ["Wants delivery in March", "Wants delivery in May"]
    assert Activity.objects.filter(kind="note").count() == notes + 1
    assert Deal.objects.get(name="Ortega Hermanos pilot").amount == Decimal("1200")
    # Undo puts each deal back as it stood, takes the new one and the new note away.
    assert services.undo(actor=admin, run=again) == 4
    fridges.refresh_from_db()
    assert deal_notes(fridges) == ["Wants delivery in March"]
    assert fridges.name == "Lactate Sud: 40 fridges"
    assert (fridges.amount, fridges.stage) == (Decimal("12500.50"), proposal)
    assert fridges.expected_close == datetime.date(2027, 3, 31)
    assert list(fridges.contacts.all()) == [maria]
    assert Deal.objects.get(name="Ortega Hermanos pilot").amount == pilot_amount
    assert not Deal.objects.filter(name="Nou: Cafe Sol", deleted_at__isnull=True).exists()
    # The first import's undo still takes every deal it made away.
    services.undo(actor=admin, run=first)
    assert not Deal.objects.filter(deleted_at__isnull=True).exists()


def deal_notes(deal: Deal) -> list[str]:
    """The texts of the notes on the deal's timeline."""
    deal_type = ContentType.objects.get_for_model(Deal)
    notes = Activity.objects.filter(
        kind="note", links__content_type=deal_type, links__object_id=deal.pk
    )
    return sorted(notes.values_list("body", flat=True))


def test_a_re_import_adds_the_files_new_notes_once_and_undo_takes_them_away(admin, maria):
    header = ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Notes"]
    first = import_file(
        admin,
        csv_bytes([header, ["d-1", "Fridges", "100", "Called in March"]]),
        "deals.csv",
        record_type="deal",
    )
    deal = Deal.objects.get()
    more = csv_bytes(
        [
            header,
            ["d-1", "Fridges", "100", "Called in March"],
            ["d-1", "Fridges", "100", "Asked for a discount"],
            ["d-1", "Fridges", "100", "Asked for a discount"],
        ]
    )
    again = import_file(admin, more, "deals.csv", record_type="deal", mode="update")
    assert (again.created, again.updated, again.rejected) == (0, 3, 0)
    assert deal_notes(deal) == ["Asked for a discount", "Called in March"]
    # The same file once more finds every note there already.
    third = import_file(admin, more, "deals.csv", record_type="deal", mode="update")
    assert deal_notes(deal) == ["Asked for a discount", "Called in March"]
    services.undo(actor=admin, run=third)
    services.undo(actor=admin, run=again)
    assert deal_notes(deal) == ["Called in March"]
    services.undo(actor=admin, run=first)
    assert not Deal.objects.filter(deleted_at__isnull=True).exists()


def test_a_deal_repeated_in_one_file_is_updated_by_its_second_row(admin, maria):
    data = csv_bytes(
        [
            ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency"],
            ["d-1", "Fridges", "100", "EUR"],
            ["d-1", "Fridges, more", "150", "EUR"],
        ]
    )
    run = import_file(admin, data, "deals.csv", record_type="deal", mode="update")
    assert (run.created, run.updated) == (1, 1)
    deal = Deal.objects.get()
    assert (deal.name, deal.amount) == ("Fridges, more", Decimal("150"))
    services.undo(actor=admin, run=run)
    assert not Deal.objects.filter(deleted_at__isnull=True).exists()


def test_the_import_page_offers_deals(admin, client):
    client.force_login(admin)
    page = client.get("/imports/").content.decode()
    assert 'value="deal"' in page
