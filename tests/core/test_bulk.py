"""core.bulk.insert stores rows exactly as bulk_create would: ids back, auto-now dates,
JSON, choices, a child given its parent object before the parent was saved."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from clientela.core import bulk
from clientela.customers.models import Company, Contact, EmailAddress, Kind
from clientela.customers.services import default_stage
from clientela.users.services import create_user

pytestmark = pytest.mark.django_db


def test_rows_come_back_with_their_ids_and_read_back_the_same():
    owner = create_user(email="ana@firma.ro", full_name="Ana")
    companies = [
        Company(name=f"Fabrica {i}", name_key=f"fabrica {i}", owner=owner, custom={"n": i})
        for i in range(1201)  # more than one statement's worth of rows
    ]
    bulk.insert(Company, companies)
    assert all(company.pk for company in companies)
    assert len({company.pk for company in companies}) == 1201
    stored = Company.objects.get(pk=companies[700].pk)
    assert stored.name == "Fabrica 700"
    assert stored.custom == {"n": 700}
    assert stored.owner_id == owner.pk
    assert stored.created_at is not None and stored.updated_at == stored.created_at
    assert not companies[0]._state.adding


def test_each_row_gets_its_own_id_in_order_and_later_records_new_ones():
    first = Company.objects.create(name="Before", name_key="before")
    companies = [Company(name=f"Firma {i}", name_key=f"firma {i}") for i in range(600)]
    bulk.insert(Company, companies)
    ids = [company.pk for company in companies]
    assert ids == sorted(ids) and ids[0] > first.pk
    stored = dict(Company.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert [stored[pk] for pk in ids] == [f"Firma {i}" for i in range(600)]
    # The ids came from the table's own sequence: a record saved afterwards takes the next.
    after = Company.objects.create(name="After", name_key="after")
    assert after.pk > ids[-1]


def test_a_child_takes_its_parent_id_and_a_choice_is_stored_as_its_value():
    contact = Contact(full_name="Ion Pop", name_key="ion pop", lifecycle_stage=default_stage())
    email = EmailAddress(address="ion@pop.ro", kind=Kind.HOME, position=0)
    email.contact = contact  # the parent has no id yet
    bulk.insert(Contact, [contact])
    bulk.insert(EmailAddress, [email])
    stored = EmailAddress.objects.get(pk=email.pk)
    assert stored.contact_id == contact.pk
    assert EmailAddress.objects.filter(kind="home", address="ion@pop.ro").count() == 1


def test_a_child_whose_parent_was_never_saved_is_refused():
    email = EmailAddress(address="x@y.ro", kind=Kind.WORK, position=0)
    email.contact = Contact(full_name="Nobody", name_key="nobody")
    with pytest.raises(ValueError, match="unsaved related object"):
        bulk.insert(EmailAddress, [email])
    assert not EmailAddress.objects.exists()


def test_append_stores_plain_rows_with_defaults_dates_and_json():
    from clientela.dataio.models import ImportedRecord, ImportRun

    contact = Contact(full_name="Ion Pop", name_key="ion pop", lifecycle_stage=default_stage())
    bulk.insert(Contact, [contact])
    written = bulk.append(
        EmailAddress,
        [
            {"contact_id": contact.pk, "address": "ion@pop.ro", "position": 0},  # kind left out
            {"contact_id": contact.pk, "address": "ion@acasa.ro", "kind": Kind.HOME, "position": 1},
            # Not a plain str (a lazy translation): converted by the field, as bulk_create does.
            {"contact_id": contact.pk, "address": gettext_lazy("ion@x.ro"), "position": 2},
        ],
    )
    assert written == 3
    stored = list(EmailAddress.objects.filter(contact=contact).order_by("position"))
    assert [(e.address, e.kind) for e in stored] == [
        ("ion@pop.ro", "work"),
        ("ion@acasa.ro", "home"),
        ("ion@x.ro", "work"),
    ]
    assert EmailAddress.objects.filter(kind="home").count() == 1  # the choice's value
    assert stored[0].created_at is not None and stored[0].pk != stored[1].pk
    run = ImportRun.objects.create(record_type="contact", file_name="x.csv", path="x", size=1)
    bulk.append(
        ImportedRecord,
        [
            {"run_id": run.pk, "record_type": "contact", "object_id": 1, "created": True},
            {
                "run_id": run.pk,
                "record_type": "contact",
                "object_id": 2,
                "created": False,
                "before": {"tags": ["a"], "custom": {"n": 1.5}},
            },
        ],
    )
    records = {r.object_id: r for r in run.records.all()}
    assert records[1].before is None  # SQL NULL, not JSON null
    assert run.records.filter(before__isnull=True).count() == 1
    assert records[2].before == {"tags": ["a"], "custom": {"n": 1.5}}


def test_append_refuses_a_field_the_model_does_not_have():
    with pytest.raises(TypeError, match="no field adress"):
        bulk.append(EmailAddress, [{"adress": "x@y.ro"}])
    assert not EmailAddress.objects.exists()
