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
from tests.dataio.importing_helpers import import_file

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
    again = import_file(admin, DEALS, "deals.csv", record_type="deal", mode="update")
    assert (again.created, again.skipped) == (0, 3)
    assert "the same ID in the old system (d-1)" in again.notes.get(row=2).message
    assert Deal.objects.count() == 3
    services.undo(actor=admin, run=first)
    assert not Deal.objects.filter(deleted_at__isnull=True).exists()
    # The companies the import made go too; the one that was there stays.
    live = Company.objects.filter(deleted_at__isnull=True)
    assert list(live.values_list("name", flat=True)) == ["Lactate Sud SRL"]


def test_the_import_page_offers_deals(admin, client):
    client.force_login(admin)
    page = client.get("/imports/").content.decode()
    assert 'value="deal"' in page
