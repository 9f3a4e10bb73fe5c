"""The filter language (core.filters): each operator on each kind of field, related
records, tags and custom fields, groups, the role's visibility underneath, and a clear
refusal of anything it does not know."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientela.core import filters
from clientela.core.models import CustomField
from clientela.customers import selectors, services
from clientela.customers.models import Contact
from clientela.deals import selectors as deal_selectors
from clientela.deals import services as deal_services
from clientela.users.services import create_user, role_named, team_named


@pytest.fixture
def world(db):
    admin = create_user(email="ana@firma.ro", full_name="Ana Admin", administrator=True)
    rep = create_user(
        email="radu@firma.ro",
        full_name="Radu Ene",
        role=role_named("sales-representative"),
        team=team_named("Nord"),
    )
    CustomField.objects.create(record_type="contact", key="size", label="Size", field_type="number")
    CustomField.objects.create(
        record_type="contact",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
    )
    CustomField.objects.create(
        record_type="contact", key="salary", label="Salary", field_type="number", sensitive=True
    )
    acme = services.create_company(actor=rep, data={"name": "Acme", "tags": ["vip"]})
    services.create_contact(
        actor=rep,
        data={
            "full_name": "Irina Radu",
            "company_name": "Acme",
            "source": "web",
            "tags": ["vip", "nord"],
            "custom": {"size": 12, "tier": "gold", "salary": 100},
        },
    )
    services.create_contact(
        actor=rep,
        data={"full_name": "Mihai Pop", "source": "manual", "custom": {"size": 3}},
    )
    old = services.create_contact(actor=admin, data={"full_name": "Dan Vechi", "tags": ["nord"]})
    Contact.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    pipeline = deal_services.ensure_pipeline()
    first = pipeline.stages.first()
    for name, amount in (("Mic", "100"), ("Mare", "5000")):
        deal_services.create_deal(
            actor=admin,
            data={"name": name, "stage": first, "amount": amount, "contacts": [], "owner": rep},
        )
    return {"admin": admin, "rep": rep, "acme": acme, "stage": first}


def names(user, spec) -> set[str]:
    return set(
        filters.narrow(user, selectors.contacts_for(user), spec).values_list("full_name", flat=True)
    )


def deal_names(user, spec) -> set[str]:
    return set(
        filters.narrow(user, deal_selectors.deals_for(user), spec).values_list("name", flat=True)
    )


ALL = {"Irina Radu", "Mihai Pop", "Dan Vechi"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ([], ALL),
        ([{"field": "full_name", "op": "eq", "value": "Mihai Pop"}], {"Mihai Pop"}),
        ([{"field": "full_name", "op": "ne", "value": "Mihai Pop"}], ALL - {"Mihai Pop"}),
        ([{"field": "full_name", "op": "contains", "value": "RADU"}], {"Irina Radu"}),
        ([{"field": "full_name", "op": "not_contains", "value": "radu"}], ALL - {"Irina Radu"}),
        ([{"field": "full_name", "op": "in", "value": ["Dan Vechi", "X"]}], {"Dan Vechi"}),
        ([{"field": "source", "op": "eq", "value": "web"}], {"Irina Radu"}),
        ([{"field": "source", "op": "not_in", "value": ["web"]}], ALL - {"Irina Radu"}),
        ([{"field": "company", "op": "is_empty"}], {"Mihai Pop", "Dan Vechi"}),
        ([{"field": "company", "op": "is_not_empty"}], {"Irina Radu"}),
        ([{"field": "company.name", "op": "eq", "value": "Acme"}], {"Irina Radu"}),
        ([{"field": "company.tags", "op": "has", "value": "vip"}], {"Irina Radu"}),
        ([{"field": "owner.team.name", "op": "eq", "value": "Nord"}], {"Irina Radu", "Mihai Pop"}),
        ([{"field": "tags", "op": "has", "value": ["nord"]}], {"Irina Radu", "Dan Vechi"}),
        ([{"field": "tags", "op": "has_not", "value": "vip"}], {"Mihai Pop", "Dan Vechi"}),
        ([{"field": "tags", "op": "is_empty"}], {"Mihai Pop"}),
        ([{"field": "custom.size", "op": "gt", "value": 5}], {"Irina Radu"}),
        ([{"field": "custom.size", "op": "lte", "value": "3"}], {"Mihai Pop"}),
        (
            [{"field": "custom.size", "op": "between", "value": [1, 20]}],
            {"Irina Radu", "Mihai Pop"},
        ),
        ([{"field": "custom.size", "op": "is_empty"}], {"Dan Vechi"}),
        ([{"field": "custom.tier", "op": "eq", "value": "gold"}], {"Irina Radu"}),
        ([{"field": "created_at", "op": "lt", "value": "2000-01-01"}], set()),
        (
            [{"field": "created_at", "op": "eq", "value": timezone.localdate().isoformat()}],
            {"Irina Radu", "Mihai Pop"},
        ),
        (
            {
                "any": [
                    {"field": "source", "op": "eq", "value": "web"},
                    {
                        "all": [
                            {"field": "tags", "op": "has", "value": "nord"},
                            {"field": "company", "op": "is_empty"},
                        ]
                    },
                ]
            },
            {"Irina Radu", "Dan Vechi"},
        ),
    ],
)
def test_each_operator_keeps_the_records_it_says(world, spec, expected):
    assert names(world["admin"], spec) == expected


@pytest.mark.django_db
def test_numbers_booleans_and_relations_on_deals(world):
    admin, rep = world["admin"], world["rep"]
    assert deal_names(admin, [{"field": "amount", "op": "gte", "value": "1000"}]) == {"Mare"}
    assert deal_names(admin, [{"field": "amount", "op": "lt", "value": 1000}]) == {"Mic"}
    assert deal_names(admin, [{"field": "amount", "op": "eq", "value": "100.00"}]) == {"Mic"}
    assert deal_names(admin, [{"field": "owner", "op": "eq", "value": rep.pk}]) == {"Mic", "Mare"}
    assert deal_names(admin, [{"field": "owner.team", "op": "ne", "value": rep.team_id}]) == set()
    assert deal_names(admin, [{"field": "stage", "op": "in", "value": [world["stage"].pk]}]) == {
        "Mic",
        "Mare",
    }
    assert deal_names(admin, [{"field": "owner.is_active", "op": "eq", "value": "yes"}]) == {
        "Mic",
        "Mare",
    }


@pytest.mark.django_db
def test_the_role_sees_only_its_records_and_fields(world):
    rep = world["rep"]
    # Dan Vechi is Ana's: a representative's filter never reaches him.
    assert names(rep, [{"field": "tags", "op": "has", "value": "nord"}]) == {"Irina Radu"}
    # Amounts and sensitive custom fields are not there to filter by for a representative.
    with pytest.raises(filters.FilterError, match="amount"):
        deal_names(rep, [{"field": "amount", "op": "gt", "value": 1}])
    with pytest.raises(filters.FilterError, match=r"custom\.salary"):
        names(rep, [{"field": "custom.salary", "op": "gt", "value": 1}])
    assert names(world["admin"], [{"field": "custom.salary", "op": "gt", "value": 1}]) == {
        "Irina Radu"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([{"field": "nope", "op": "eq", "value": 1}], "no field “nope”"),
        ([{"field": "owner.password", "op": "eq", "value": "x"}], "no field “owner.password”"),
        ([{"field": "owner.is_superuser", "op": "eq", "value": True}], "no field"),
        ([{"field": "version", "op": "eq", "value": 1}], "no field"),
        ([{"field": "full_name", "op": "gt", "value": "a"}], "does not apply"),
        ([{"field": "full_name", "op": "raw", "value": "1=1"}], "does not apply"),
        ([{"field": "source", "op": "eq", "value": "fax"}], "choose one of"),
        ([{"field": "custom.size", "op": "gt", "value": "many"}], "enter a number"),
        ([{"field": "created_at", "op": "gt", "value": "yesterday"}], "YYYY-MM-DD"),
        ([{"field": "company", "op": "eq", "value": "Acme"}], "number \\(id\\)"),
        ([{"field": "custom.size", "op": "between", "value": [1]}], "give 2 values"),
        ([{"field": "full_name", "op": "eq", "value": ["a"]}], "one value"),
        ([{"field": "full_name", "op": "eq", "value": "a", "sql": "x"}], "not sql"),
        ({"either": []}, "“all”"),
        ("full_name = 'x'", "list of conditions"),
        ([{"field": "full_name", "op": "eq", "value": "a"}] * 51, "At most 50"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(world, spec, message):
    with pytest.raises(filters.FilterError, match=message):
        names(world["admin"], spec)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(filters.FilterError, match="not valid JSON"):
        filters.parse("{nope")
    assert filters.parse("") == []
