"""Tickets through the API: opened by the one intake service (routed and assigned),
listed with the page's filters, moved, assigned, transferred and answered."""

from __future__ import annotations

import pytest

from clientela.api import services as api_services
from clientela.core.models import AuditEntry
from clientela.customers import services as customers
from clientela.tickets import configuration
from clientela.tickets.models import Ticket, TicketMessage
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, agents, desk):
    _token, raw = api_services.create_token(actor=agents[0], name="tests", scopes=["tickets:write"])
    return ApiClient(client, raw)


def test_open_read_and_list_a_ticket(api, desk, agents):
    configuration.save_rule(
        actor=None,
        rule=None,
        name="Billing",
        department=desk["billing"],
        position=1,
        keywords="invoice",
    )
    created = api.post(
        "/api/v1/tickets/",
        {
            "subject": "Invoice twice",
            "email": "maria@client.ro",
            "name": "Maria",
            "priority": "high",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["channel"] == "api" and body["department_id"] == desk["billing"].pk
    assert body["assignee_id"] == agents[2].pk and body["number"] == body["id"]
    assert body["first_response_due"] is not None
    ticket = Ticket.objects.get()
    assert ticket.contact.email == "maria@client.ro"
    created_entry = AuditEntry.objects.filter(content_type__model="ticket", action="create").get()
    assert created_entry.source == "api" and created_entry.object_id == ticket.pk

    assert api.get(f"/api/v1/tickets/{ticket.pk}").json()["subject"] == "Invoice twice"
    listed = api.get(f"/api/v1/tickets/?status=active&department={desk['billing'].pk}").json()
    assert [item["id"] for item in listed["items"]] == [ticket.pk]
    assert api.get("/api/v1/tickets/?status=resolved").json()["items"] == []


def test_a_ticket_for_a_contact_the_user_cannot_see_is_refused(api, make_user):
    other = make_user(email="rep@firma.ro")
    hidden = customers.create_contact(actor=other, data={"full_name": "Hidden"})
    from clientela.users.services import role_named

    agent_role = role_named("support-agent")
    agent_role.permissions["records"]["contact"] = {"view": "own", "edit": "own", "delete": "none"}
    agent_role.save()
    refused = api.post("/api/v1/tickets/", {"subject": "x", "contact_id": hidden.pk})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "contact_id"
    assert not Ticket.objects.exists()


def test_move_assign_transfer_and_answer_by_api(api, desk, agents):
    ticket = api.post("/api/v1/tickets/", {"subject": "Oven", "email": "a@client.ro"}).json()
    url = f"/api/v1/tickets/{ticket['id']}"
    moved = api.patch(url, {"status": "waiting", "version": ticket["version"]})
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "waiting"
    stale = api.patch(url, {"status": "open", "version": ticket["version"]})
    assert stale.status_code == 409
    assigned = api.patch(url, {"assignee_id": agents[2].pk})
    assert assigned.json()["assignee_id"] == agents[2].pk
    no_reason = api.patch(url, {"department_id": desk["billing"].pk})
    assert no_reason.status_code == 422
    transferred = api.patch(
        url, {"department_id": desk["billing"].pk, "transfer_reason": "Billing question"}
    )
    assert transferred.json()["department_id"] == desk["billing"].pk
    # PATCH sets the department: the one it is in already changes nothing.
    again = api.patch(
        url, {"department_id": desk["billing"].pk, "transfer_reason": "Billing question"}
    )
    assert again.status_code == 200, again.content
    assert again.json()["department_id"] == desk["billing"].pk
    answered = api.post(f"{url}/messages", {"body": "Solved it.", "status": "resolved"})
    assert answered.status_code == 201, answered.content
    assert answered.json()["status"] == "resolved"
    assert TicketMessage.objects.filter(ticket_id=ticket["id"], from_customer=False).count() == 1
    bad = api.patch(url, {"status": "waiting"})
    assert bad.status_code == 422


def test_a_merge_is_undone_by_api_by_those_who_may_edit_both(api, agents, client, make_user):
    kept = api.post("/api/v1/tickets/", {"subject": "Oven", "email": "a@client.ro"}).json()
    duplicate = api.post("/api/v1/tickets/", {"subject": "Oven!", "email": "a@client.ro"}).json()
    url = f"/api/v1/tickets/{kept['id']}"
    nothing = api.post(f"{url}/unmerge", {})
    assert nothing.status_code in (400, 422) and "no merge" in nothing.content.decode()
    merged = api.post(f"{url}/merge", {"duplicate_id": duplicate["id"]})
    assert merged.status_code in (200, 201), merged.content
    assert Ticket.objects.get(pk=duplicate["id"]).merged_into_id == kept["id"]
    # A sales rep who may not edit tickets is refused and nothing changes.
    _token, raw = api_services.create_token(
        actor=make_user(email="rep@firma.ro"), name="rep", scopes=["tickets:write"]
    )
    refused = ApiClient(client, raw).post(f"{url}/unmerge", {})
    assert refused.status_code in (403, 404)
    assert Ticket.objects.get(pk=duplicate["id"]).merged_into_id == kept["id"]
    undone = api.post(f"{url}/unmerge", {})
    assert undone.status_code in (200, 201), undone.content
    assert undone.json()["id"] == kept["id"]
    back = Ticket.objects.get(pk=duplicate["id"])
    assert back.merged_into_id is None and back.status == "new"
    assert TicketMessage.objects.filter(ticket_id=duplicate["id"]).count() == 1
    assert AuditEntry.objects.filter(action="undo merge", object_id=duplicate["id"]).exists()
    again = api.post(f"{url}/unmerge", {})
    assert again.status_code in (400, 422)


def test_the_unmerge_operation_is_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/tickets/{record_id}/unmerge"]["post"]
    assert "Undo the latest merge" in operation["summary"]
    assert "400 when there is no merge" in operation["description"]
