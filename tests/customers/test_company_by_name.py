"""A company named in a form, the API or a deal is found through the same visibility as
one chosen by id: a name the author may not see is as if it did not exist, so their
contact gets a new company of theirs and the other team's company stays untouched (R26)."""

from __future__ import annotations

import pytest
from django.test import Client

from clientela.activities import services as activity_services
from clientela.core import permissions
from clientela.customers import services
from clientela.customers.models import Company, Contact
from clientela.deals import services as deal_services
from clientela.deals.models import Deal
from clientela.users.services import create_user, role_named, save_role, team_named
from tests.dataio.importing_helpers import csv_bytes, import_file

SECRET_COMPANY = "Compania Secretă"


@pytest.fixture
def teams(db):
    owner_b = create_user(
        email="bogdan@firma-b.ro", full_name="Bogdan B", team=team_named("Sales Bucharest")
    )
    cluj = team_named("Sales Cluj")
    rep_a = create_user(
        email="radu@firma-a.ro",
        full_name="Radu A",
        password="Corect-cal-baterie-9",
        role=role_named("sales-representative"),
        team=cluj,
    )
    secret = services.create_company(actor=owner_b, data={"name": SECRET_COMPANY})
    activity_services.log_activity(
        actor=owner_b, record=secret, kind="note", body="Private: renewal at 40% off"
    )
    return owner_b, rep_a, secret


def assert_untouched(secret: Company, author) -> None:
    assert not Contact.objects.filter(company=secret).exists()
    assert not Deal.objects.filter(company=secret).exists()
    # What the author got instead: a company of their own, of the name they typed.
    theirs = Company.objects.exclude(pk=secret.pk).get()
    assert theirs.owner == author
    assert theirs.name.lower() in {"compania secretă", "compania secreta"}


@pytest.mark.django_db
def test_a_contact_naming_another_teams_company_gets_a_company_of_its_own(teams):
    owner_b, rep_a, secret = teams
    contact = services.create_contact(
        actor=rep_a, data={"full_name": "Ion Pop", "company_name": "compania secreta"}
    )
    assert contact.company != secret
    assert_untouched(secret, rep_a)
    # The other team's company page lists only its own people.
    owner_client = _client_for(owner_b)
    page = owner_client.get(secret.get_absolute_url()).content.decode()
    assert "Ion Pop" not in page


@pytest.mark.django_db
def test_quick_add_and_the_api_look_names_up_as_the_author_sees_them(client, teams):
    _owner_b, rep_a, secret = teams
    client.force_login(rep_a)
    client.post(
        "/contacts/quick-add/",
        {"name": "Ion Pop", "email": "ion@pop.ro", "company": SECRET_COMPANY},
    )
    assert Contact.objects.get(full_name="Ion Pop").company != secret
    response = client.post(
        "/api/v1/contacts/",
        {"full_name": "Eva Pop", "company_name": SECRET_COMPANY.upper()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["company_id"] != secret.pk
    # Both land on the one company the rep's first contact made.
    assert Contact.objects.get(full_name="Eva Pop").company == (
        Contact.objects.get(full_name="Ion Pop").company
    )
    assert_untouched(secret, rep_a)


@pytest.mark.django_db
def test_a_deal_form_naming_another_teams_company_does_not_link_it(client, teams):
    _owner_b, rep_a, secret = teams
    stage = deal_services.ensure_pipeline().stages.first()
    client.force_login(rep_a)
    client.post(
        "/deals/new/",
        {
            "name": "Cuptoare",
            "company": SECRET_COMPANY,
            "stage": stage.pk,
            "currency": "RON",
            "source": "web",
            "owner": rep_a.pk,
        },
    )
    deal = Deal.objects.get(name="Cuptoare")
    assert deal.company is not None and deal.company != secret
    assert_untouched(secret, rep_a)


@pytest.mark.django_db
def test_a_company_the_author_may_see_is_found_by_name(teams):
    _owner_b, _rep_a, secret = teams
    manager = create_user(
        email="sefa@firma-a.ro", role=role_named("manager"), team=team_named("Sales Cluj")
    )
    # A manager sees every company: the name finds it, and no second one is made.
    contact = services.create_contact(
        actor=manager, data={"full_name": "Ion Pop", "company_name": "COMPANIA SECRETA"}
    )
    assert contact.company == secret
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_saving_a_contact_unchanged_keeps_a_company_its_editor_may_not_see(teams):
    _owner_b, rep_a, secret = teams
    # Linked by someone who could see both (an administrator), owned by the rep.
    contact = services.create_contact(
        actor=None, data={"full_name": "Ion Pop", "company": secret, "owner": rep_a}
    )
    services.update_contact(
        actor=rep_a,
        contact=contact,
        data={"position": "CFO", "company_name": SECRET_COMPANY},
        expected_version=None,
    )
    contact.refresh_from_db()
    assert contact.company == secret
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_an_import_naming_another_teams_company_does_not_link_it(teams, settings, tmp_path):
    _owner_b, rep_a, secret = teams
    settings.IMPORT_DIR = tmp_path / "imports"
    # A representative whose role may import: the file's company column is looked up
    # among the companies they see, as the forms do.
    rep_a.role = save_role(
        actor=None,
        role=None,
        name="Importing representative",
        permissions_value={
            **permissions.default_role_permissions("sales-representative"),
            "capabilities": ["log_activity", "import"],
        },
    )
    rep_a.save(update_fields=["role"])
    rows = [["Name", "Email", "Company"], ["Ion Pop", "ion@pop.ro", SECRET_COMPANY]]
    run = import_file(rep_a, csv_bytes(rows))
    assert run.created == 1
    assert Contact.objects.get(full_name="Ion Pop").company != secret
    assert_untouched(secret, rep_a)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
