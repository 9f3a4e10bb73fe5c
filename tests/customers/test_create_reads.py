"""Creating a contact with the full form reads each thing it needs once per request: the
stages, the people offered as owner, the custom fields and the company it names are not
read again by the save (the bench's create, bench/peers)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.models import CustomField, FieldType
from clientela.customers import services
from clientela.customers.models import Contact, LifecycleStage

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'^SELECT .*? FROM "(\w+)"', re.S)


def tables_read(captured) -> Counter:
    return Counter(m[1] for q in captured if (m := TABLE.match(q["sql"])))


def test_a_new_contact_reads_each_thing_once(user_client, user):
    firm = services.create_company(actor=user, data={"name": "Firma SRL"})
    CustomField.objects.create(
        record_type="contact", key="shoe-size", label="Shoe size", field_type=FieldType.TEXT
    )
    stage = LifecycleStage.objects.order_by("position")[1]

    def post(n: int):
        return user_client.post(
            "/contacts/new/",
            {
                "full_name": f"Bench Person {n}",
                "emails": f"bench.person.{n}@bench.test",
                "phones": f"+40 21 3{n}0 0000",
                "company": "firma srl",  # the company's name as typed, any case
                "lifecycle_stage": str(stage.pk),
                "source": "manual",
                "owner": str(user.pk),
                "custom__shoe-size": "42",
                "confirm_duplicate": "yes",
            },
        )

    first = post(1)  # fills the process's caches (content types)
    assert first.status_code == 302, first.context["form"].errors
    with CaptureQueriesContext(connection) as captured:
        response = post(2)
    contact = Contact.objects.get(full_name="Bench Person 2")
    assert response.status_code == 302 and response["Location"] == contact.get_absolute_url()
    assert contact.company == firm and contact.owner == user
    assert contact.lifecycle_stage == stage and contact.custom == {"shoe-size": "42"}
    assert Contact.objects.filter(company=firm).count() == 2

    read = tables_read(captured)
    for table in ("customers_lifecyclestage", "core_customfield", "customers_company"):
        assert read[table] == 1, (table, read)
    # The signed-in person, then the people offered as owner (the chosen one among them).
    assert read["users_user"] == 2, read


def _last_state(record) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from clientela.core.models import AuditEntry

    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).latest("pk")
    return entry.state


def test_a_write_audits_what_it_wrote_without_reading_it_back(user):
    """The audit entry of a new contact, and of an edit that gave every e-mail, phone,
    address and tag, holds them as written, not read back (4 reads fewer), and is the
    same as the record read afresh; an edit that left some as they were reads them."""
    from clientela.core import audit

    data = {
        "full_name": "Maria Ionescu",
        "emails": ["Maria@Example.test", {"address": "m.i@acasa.test", "kind": "home"}],
        "phones": ["+40 721 000 111"],
        "addresses": [{"street": " Str. Lungă 1 ", "city": "Iași", "country": "ro"}],
        "tags": ["VIP", "vip", "Client"],  # "VIP" and "vip" are one tag
    }
    with CaptureQueriesContext(connection) as captured:
        contact = services.create_contact(actor=user, data=data)
    read = tables_read(captured)
    for table in ("customers_emailaddress", "customers_phonenumber", "customers_address"):
        assert read[table] == 0, (table, read)
    state = _last_state(contact)
    assert state == audit.snapshot(Contact.objects.get(pk=contact.pk))
    assert state["emails"] == ["maria@example.test (work)", "m.i@acasa.test (home)"]
    assert state["tags"] == ["Client", "VIP"] and state["addresses"][0]["country"] == "RO"

    everything = {**data, "emails": ["nou@example.test"], "tags": ["Client"]}
    with CaptureQueriesContext(connection) as captured:
        services.update_contact(actor=user, contact=contact, data=everything, expected_version=None)
    after_edit = _last_state(contact)
    assert after_edit == audit.snapshot(Contact.objects.get(pk=contact.pk))
    assert after_edit["emails"] == ["nou@example.test (work)"]

    contact = Contact.objects.get(pk=contact.pk)
    services.update_contact(
        actor=user, contact=contact, data={"position": "Buyer"}, expected_version=None
    )
    partial = _last_state(contact)
    assert partial == audit.snapshot(Contact.objects.get(pk=contact.pk))
    assert partial["phones"] == ["+40 721 000 111 (work)"] and partial["tags"] == ["Client"]


def test_many_contacts_and_companies_at_once_audit_what_a_fresh_read_gives(user):
    """An import's batch (create_contacts, create_companies) audits each record from what
    it wrote, as the one-record writes do: the same state as the record read afresh."""
    from clientela.core import audit
    from clientela.customers.models import Company

    firm = services.create_companies(actor=user, companies=[services.new_company_named("Acme")])
    assert _last_state(firm[0]) == audit.snapshot(Company.objects.get(pk=firm[0].pk))
    assert _last_state(firm[0])["emails"] == [] and _last_state(firm[0])["name"] == "Acme"
    prepared = [
        services.prepare_contact(
            actor=user,
            data={
                "full_name": "Ion Pop",
                "company": firm[0],
                "emails": ["Ion@Acme.test", {"address": "ion@acasa.test", "kind": "home"}],
                "phones": ["+40 721 000 222"],
                "addresses": [{"street": "Str. Mare 2", "city": "Cluj", "country": "ro"}],
                "tags": ["Client", "Nou"],
            },
        ),
        services.prepare_contact(actor=user, data={"full_name": "Ana Fără Date"}),
    ]
    with CaptureQueriesContext(connection) as captured:
        made = services.create_contacts(actor=user, prepared=prepared)
    read = tables_read(captured)
    for table in ("customers_emailaddress", "customers_phonenumber", "customers_address"):
        assert read[table] == 0, (table, read)
    for contact in made:
        assert _last_state(contact) == audit.snapshot(Contact.objects.get(pk=contact.pk))
    state = _last_state(made[0])
    assert state["emails"] == ["ion@acme.test (work)", "ion@acasa.test (home)"]
    assert state["company"] == "Acme" and state["tags"] == ["Client", "Nou"]


def test_a_company_write_audits_what_it_wrote(user):
    from clientela.core import audit
    from clientela.customers.models import Company

    data = {
        "name": "Firma Nouă SRL",
        "emails": ["Office@Firma.test"],
        "phones": ["+40 21 300 0000"],
        "addresses": [{"street": "Bd. Unirii 1", "city": "București", "country": "ro"}],
        "tags": ["Furnizor"],
    }
    company = services.create_company(actor=user, data=data)
    state = _last_state(company)
    assert state == audit.snapshot(Company.objects.get(pk=company.pk))
    assert state["emails"] == ["office@firma.test (work)"] and state["tags"] == ["Furnizor"]
    company = Company.objects.get(pk=company.pk)
    services.update_company(
        actor=user, company=company, data={"industry": "Retail"}, expected_version=None
    )
    partial = _last_state(company)
    assert partial == audit.snapshot(Company.objects.get(pk=company.pk))
    assert partial["industry"] == "Retail" and partial["phones"] == ["+40 21 300 0000 (work)"]
