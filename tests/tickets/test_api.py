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
