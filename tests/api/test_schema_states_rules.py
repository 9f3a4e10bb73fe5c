"""The OpenAPI schema states the rules the API enforces (a name is not blank, text holds
no NUL, an amount has at most two decimals, If-Match is an ETag, a date is written as a
date), and the API accepts what the schema calls valid and refuses what it calls invalid:
the schemathesis findings of dates taken from plain numbers and of valid-by-schema
requests refused by unstated rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from clientela.customers import services as customers
from clientela.deals.models import Deal

pytestmark = pytest.mark.django_db

DEALS = ("deals:write", "pipelines:read", "contacts:write")


@pytest.fixture
def schema(client):
    return Client().get("/api/openapi.json").json()


def component(schema, name):
    return schema["components"]["schemas"][name]


def branches(prop):
    return prop.get("anyOf", [prop])


def test_dates_written_as_plain_numbers_are_refused(api_for, admin):
    api = api_for(admin, DEALS)
    # A number would be read as seconds since 1970: 20260101 is a day in August 1970.
    assert api.get("/api/v1/contacts/?created_from=20260101").status_code == 422
    assert api.get("/api/v1/contacts/?created_from=2026-01-01").status_code == 200
    assert api.get("/api/v1/contacts/?updated_since=1767225600").status_code == 422
    refused = api.post("/api/v1/deals/", {"name": "Ofertă", "expected_close": 1767225600})
    assert refused.status_code == 422
    assert (
        api.post("/api/v1/deals/", {"name": "Ofertă", "expected_close": "2026-03-01"}).status_code
        == 201
    )


def test_the_schema_states_names_nul_amounts_and_if_match(schema):
    deal = component(schema, "DealIn")
    assert "name" in deal["required"]
    name = deal["properties"]["name"]
    assert name["pattern"].startswith("^[^\\x00]*[^\\s")  # a visible character, no NUL
    assert component(schema, "ContactIn")["anyOf"] == [
        {"required": ["full_name"]},
        {"required": ["given_name"]},
        {"required": ["family_name"]},
    ]
    note = component(schema, "ContactIn")["properties"]["next_step"]
    assert note["pattern"] == "^[^\\x00]*$"
    custom = branches(deal["properties"]["custom"])[0]
    assert custom["propertyNames"]["pattern"] == "^[^\\x00]*$"
    number, text = branches(deal["properties"]["amount"])[:2]
    assert (number["type"], number["multipleOf"], number["maximum"]) == (
        "number",
        0.01,
        999999999999.99,
    )
    assert (text["type"], text["pattern"]) == ("string", "^([0-9]{1,12}(\\.[0-9]{1,2})?)$")
    patch = schema["paths"]["/api/v1/contacts/{record_id}"]["patch"]["parameters"]
    if_match = next(p for p in patch if p["name"] == "If-Match")["schema"]
    assert "anyOf" not in if_match and if_match["pattern"].startswith("^[ \\t]*(\\*|")
    expected_close = branches(deal["properties"]["expected_close"])[0]
    assert expected_close["format"] == "date" and "pattern" in expected_close


def test_what_the_schema_calls_valid_is_accepted_and_invalid_refused(api_for, admin):
    api = api_for(admin, DEALS)
    # 1.15 written by a JSON encoder from a binary float is 1.15.
    made = api.post("/api/v1/deals/", {"name": "Float", "amount": 1.1500000000000001})
    assert made.status_code == 201, made.json()
    assert Deal.objects.get(name="Float").amount == Decimal("1.15")
    for amount in (1.155, "1.155", "1e3", "-1"):
        assert api.post("/api/v1/deals/", {"name": "X", "amount": amount}).status_code == 422
    for blank in ("", "   ", "\x1f"):
        assert api.post("/api/v1/deals/", {"name": blank}).status_code == 422
    assert api.post("/api/v1/contacts/", {}).status_code == 422  # no name at all
    nul_key = api.post("/api/v1/deals/", {"name": "X", "custom": {"a\x00": "b"}})
    assert nul_key.status_code == 422
    contact = customers.create_contact(actor=admin, data={"full_name": "Ion Popescu"})
    path = f"/api/v1/contacts/{contact.pk}"
    assert api.patch(path, {"position": "CFO"}, **{"If-Match": ""}).status_code == 422
    assert api.patch(path, {"position": "CFO"}, **{"If-Match": '"1"'}).status_code == 200
    # A tax rate far past its bound is refused, not a server error.
    assert api.post("/api/v1/deals/", {"name": "X", "amount": -1.1e289}).status_code == 422


def test_the_schema_states_which_bodies_take_exactly_one_of_two_fields(schema):
    # A project is for a company or a person; a timer runs on a task or a record, and a
    # call's timer only on a record.
    assert component(schema, "ProjectIn")["oneOf"] == [
        {"required": ["company_id"]},
        {"required": ["contact_id"]},
    ]
    assert component(schema, "TimerIn")["oneOf"] == [
        {
            "required": ["task_id"],
            "properties": {"task_id": {"type": "integer"}, "call": {"const": False}},
        },
        {"required": ["record"], "properties": {"record": {"type": "string", "minLength": 1}}},
    ]
