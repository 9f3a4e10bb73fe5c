"""Sensitive fields (tax ids, custom fields marked sensitive) stay hidden from roles
without "see_sensitive", in pages, forms, search, history and merge, and survive their edits."""

import pytest

from clientela.core.models import CustomField, FieldType
from clientela.customers import services
from clientela.customers.models import Company
from clientela.users.services import create_user, role_named, team_named


@pytest.fixture
def setup(db):
    team = team_named("Sales")
    manager = create_user(email="boss@firma.ro", role=role_named("manager"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    CustomField.objects.create(
        record_type="company",
        key="credit_limit",
        label="Credit limit",
        field_type=FieldType.MONEY,
        sensitive=True,
    )
    CustomField.objects.create(
        record_type="company", key="segment", label="Segment", field_type=FieldType.TEXT
    )
    company = services.create_company(
        actor=rep,
        data={
            "name": "Fabrica SRL",
            "tax_id": "RO98765432",
            "custom": {"credit_limit": "50000 RON", "segment": "retail"},
        },
    )
    services.update_company(
        actor=manager, company=company, data={"tax_id": "RO11112222"}, expected_version=None
    )
    return manager, rep, Company.objects.get(pk=company.pk)


def page_for(client, user, url):
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_company_page_and_history_hide_them_from_a_representative(client, setup):
    manager, rep, company = setup
    page = page_for(client, rep, company.get_absolute_url())
    assert "Fabrica SRL" in page and "retail" in page
    assert "RO11112222" not in page and "Credit limit" not in page and "50000" not in page
    history = page_for(client, rep, f"/records/company/{company.pk}/history/")
    assert "RO98765432" not in history and "RO11112222" not in history and "50000" not in history
    assert "•••" in history

    page = page_for(client, manager, company.get_absolute_url())
    assert "RO11112222" in page and "50000.00 RON" in page


def test_search_never_finds_by_tax_id(client, setup):
    _manager, rep, _company = setup
    assert "Fabrica SRL" not in page_for(client, rep, "/search/?q=RO1111")
    assert "Fabrica SRL" in page_for(client, rep, "/search/?q=fabrica")


def test_a_representatives_edit_keeps_what_they_could_not_see(client, setup):
    _manager, rep, company = setup
    form = page_for(client, rep, f"/companies/{company.pk}/edit/")
    assert 'name="tax_id"' not in form and "custom__credit_limit" not in form
    client.post(
        f"/companies/{company.pk}/edit/",
        {
            "name": "Fabrica de Pâine SRL",
            "status": "active",
            "owner": rep.pk,
            "custom__segment": "wholesale",
            "version": company.version,
        },
    )
    company.refresh_from_db()
    assert company.name == "Fabrica de Pâine SRL"
    assert company.tax_id == "RO11112222"
    assert company.custom == {
        "credit_limit": {"amount": "50000.00", "currency": "RON"},
        "segment": "wholesale",
    }


def test_the_merge_page_neither_shows_nor_offers_them(client, setup):
    _manager, rep, company = setup
    other = services.create_company(actor=rep, data={"name": "Fabrica S.R.L.", "tax_id": "RO5555"})
    page = page_for(client, rep, f"/merge/company/{company.pk}/{other.pk}/")
    assert "RO5555" not in page and "RO11112222" not in page and "Tax id" not in page


def test_the_company_page_is_given_no_tax_id_for_a_representative(client, setup):
    manager, rep, company = setup
    client.force_login(rep)
    response = client.get(company.get_absolute_url())
    assert response.context["record"].tax_id is None
    assert response.context["record"].name == "Fabrica SRL"
    client.force_login(manager)
    response = client.get(company.get_absolute_url())
    assert response.context["record"].tax_id == "RO11112222"
