"""Canned replies: written by agents whose role may, inserted into a reply on the ticket
page, their merge fields filled from the ticket when the reply is sent; an unknown merge
field is a clear error, never a 500 nor a reply sent with braces in it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities.models import Activity
from clientela.core import audit, merge_fields, record_services
from clientela.customers import services as customers
from clientela.tickets import knowledge, services
from clientela.tickets.models import CannedReply, Channel, TicketMessage
from clientela.users.services import role_named

GREETING = "Hello {{ contact.first_name }},\n\nabout ticket #{{ticket.number}}: {{ agent.name }}"


@pytest.fixture
def ticket(desk):
    contact = customers.create_contact(
        actor=None, data={"full_name": "Maria Popescu", "emails": ["maria@client.ro"]}
    )
    return services.open_ticket(
        actor=None, channel=Channel.WEB_FORM, subject="The oven is cold", contact=contact
    )


@pytest.fixture
def agent_client(client, agents):
    client.force_login(agents[0])
    return client


def test_merge_fields_are_filled_from_the_ticket_and_the_agent(db, ticket, agents):
    text = merge_fields.fill(GREETING, merge_fields.Sources.about(ticket, agents[0]))
    assert text == f"Hello Maria,\n\nabout ticket #{ticket.pk}: Agent 1"


def test_an_unknown_merge_field_is_named_with_the_known_ones(db, ticket, agents):
    with pytest.raises(ValidationError) as refused:
        merge_fields.fill(
            "Hi {{ contact.nickname }}", merge_fields.Sources.about(ticket, agents[0])
        )
    message = refused.value.message_dict["body"][0]
    assert "{{ contact.nickname }}" in message
    assert "{{ contact.first_name }}" in message


@pytest.mark.django_db
def test_a_support_agent_writes_canned_replies_a_sales_rep_only_reads_them(agents, make_user):
    reply = knowledge.create_canned_reply(
        actor=agents[0], data={"name": "Greeting", "body": GREETING}
    )
    assert reply.owner == agents[0]
    rep = make_user(email="rep@firma.ro", role=role_named("sales-representative"))
    with pytest.raises(PermissionDenied):
        knowledge.create_canned_reply(actor=rep, data={"name": "Mine", "body": "x"})
    with pytest.raises(PermissionDenied):
        knowledge.update_canned_reply(
            actor=rep, reply=reply, data={"body": "changed"}, expected_version=None
        )
    # Another agent improves it: a new version in its history.
    knowledge.update_canned_reply(
        actor=agents[1], reply=reply, data={"name": "Greeting v2"}, expected_version=1
    )
    assert [entry.action for entry in audit.history(reply)] == ["update", "create"]


@pytest.mark.django_db
def test_a_canned_reply_with_an_unknown_field_is_refused_when_saved(agent_client):
    response = agent_client.post(
        "/tickets/replies/new/", {"name": "Bad", "body": "Hi {{ customer.name }}"}
    )
    assert response.status_code == 400
    assert "Unknown merge field {{ customer.name }}" in response.content.decode()
    assert not CannedReply.objects.exists()


@pytest.mark.django_db
def test_an_agent_inserts_a_canned_reply_and_sends_it_filled(agent_client, ticket, agents):
    reply = knowledge.create_canned_reply(
        actor=agents[1], data={"name": "Greeting", "body": GREETING}
    )
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="canned-pick"' in page and "Greeting" in page
    inserted = agent_client.post(
        f"/tickets/{ticket.pk}/compose/", {"body": "", "canned": reply.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    # The box holds the text as written, the agent's to adjust before sending.
    assert "Hello {{ contact.first_name }}" in inserted
    response = agent_client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": GREETING, "version": ticket.version}
    )
    assert response.status_code == 302
    sent = TicketMessage.objects.filter(ticket=ticket, from_customer=False).get()
    assert sent.activity.body == f"Hello Maria,\n\nabout ticket #{ticket.pk}: Agent 1"


@pytest.mark.django_db
def test_a_reply_with_an_unknown_field_keeps_its_text_and_says_why(agent_client, ticket):
    typed = "Hi {{ contact.nickname }}, we are on it."
    response = agent_client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": typed, "version": ticket.version}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown merge field {{ contact.nickname }}" in page
    assert "Hi {{ contact.nickname }}, we are on it." in page
    assert not TicketMessage.objects.filter(ticket=ticket, from_customer=False).exists()
    assert not Activity.objects.filter(body__contains="we are on it").exists()


@pytest.mark.django_db
def test_the_api_refuses_an_unknown_field_with_a_422(agent_client, ticket):
    response = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "Hi {{ contact.nickname }}"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "contact.nickname" in response.content.decode()
    created = agent_client.post(
        "/api/v1/canned-replies/",
        {"name": "Thanks", "body": "Thanks, {{ contact.first_name }}!"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    listed = agent_client.get("/api/v1/canned-replies/").json()
    assert [item["name"] for item in listed["items"]] == ["Thanks"]


@pytest.mark.django_db
def test_a_canned_reply_goes_to_the_trash_and_comes_back(agent_client, admin, agents):
    reply = knowledge.create_canned_reply(actor=agents[0], data={"name": "Old", "body": "x"})
    # Support agents do not delete them; an administrator does.
    agent_client.post(f"/tickets/replies/{reply.pk}/trash/")
    reply.refresh_from_db()
    assert reply.deleted_at is None
    agent_client.force_login(admin)
    agent_client.post(f"/tickets/replies/{reply.pk}/trash/")
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    row = f'href="/tickets/replies/{reply.pk}/"'
    assert row not in agent_client.get("/tickets/replies/").content.decode()
    assert "Old" in agent_client.get("/trash/").content.decode()
    record_services.restore_from_trash(actor=admin, records=[reply])
    assert row in agent_client.get("/tickets/replies/").content.decode()
