"""Every PATCH asks whether the caller may change the record before anything else: a
change that would change nothing is refused to a role that may not edit (403), as the
API's documentation says, instead of answering 200."""

from __future__ import annotations

import json

import pytest

from clientela.deals import services as deal_services
from clientela.orders import services as order_services
from clientela.orders.models import Order
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop


@pytest.fixture
def records(db):
    team = team_named("Sales Cluj")
    owner = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    reader = create_user(email="reader@firma.ro", role=role_named("read-only"), team=team)
    shop = build_shop(owner)
    order = order_services.create_order_for_customer(
        actor=owner, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    deal = deal_services.create_deal(actor=owner, data={"name": "Scaune"})
    return reader, {
        "orders": order,
        "deals": deal,
        "contacts": shop["contact"],
        "companies": shop["company"],
    }


def patch(client, url: str, body: dict):
    return client.generic("PATCH", url, json.dumps(body), "application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["orders", "deals", "contacts", "companies"])
def test_a_patch_that_changes_nothing_is_refused_to_a_role_that_may_not_edit(
    client, records, resource
):
    reader, found = records
    record = found[resource]
    client.force_login(reader)
    url = f"/api/v1/{resource}/{record.pk}"
    assert client.get(url).status_code == 200  # they may see it
    for body in ({}, {"version": record.version}):
        response = patch(client, url, body)
        assert response.status_code == 403, (body, response.content)
        assert "detail" in response.json()
    bulk = patch(client, f"/api/v1/{resource}/bulk", {"items": [{"id": record.pk}]})
    assert bulk.status_code == 403


@pytest.mark.django_db
def test_an_order_patched_to_its_own_stage_is_refused_to_a_reader(client, records):
    reader, found = records
    order = found["orders"]
    client.force_login(reader)
    response = patch(client, f"/api/v1/orders/{order.pk}", {"stage": order.stage.key})
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).version == order.version


@pytest.mark.django_db
def test_the_owner_may_still_send_a_patch_that_changes_nothing(client, records):
    _reader, found = records
    order = found["orders"]
    client.force_login(order.owner)
    assert patch(client, f"/api/v1/orders/{order.pk}", {}).status_code == 200
    contact = found["contacts"]
    changed = patch(client, f"/api/v1/contacts/{contact.pk}", {"position": "CFO"})
    assert changed.status_code == 200
