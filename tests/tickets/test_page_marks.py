"""What the ticket page and list say of each thing they show, read with it rather than
asked again: each conversation entry as an internal note, the customer's words or a reply
(also in the htmx answer that brings more of it), the status and priority badges in their
colours, and the customer a row is from."""

from __future__ import annotations

import re

import pytest

from clientela.customers import services as customers
from clientela.tickets import intake, services
from clientela.tickets.models import Channel


def entries(html: str) -> list[tuple[str, str]]:
    """Each conversation entry's class and the label it is shown with, newest first."""
    return re.findall(
        r'<li class="timeline__entry ([^"]+)">.*?<strong>([^<]+)</strong>', html, flags=re.S
    )


@pytest.fixture
def ticket(desk, agents):
    ticket = services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject="The oven is cold",
        description="Help",
        email="maria@client.ro",
        priority="urgent",
    )
    services.reply(actor=agents[0], ticket=ticket, body="Try the reset")
    services.reply(actor=agents[0], ticket=ticket, body="Check warranty", internal=True)
    intake.customer_reply(ticket=ticket, body="Still cold")
    return ticket


@pytest.mark.django_db
def test_each_conversation_entry_says_what_it_is_on_the_page_and_in_htmx(client, agents, ticket):
    client.force_login(agents[0])
    expected = [
        ("timeline__entry--message", "Customer"),
        ("timeline__entry--note ticket-note", "Internal note"),
        ("timeline__entry--ticket", "Reply"),
        ("timeline__entry--message", "Customer"),  # the request that opened it
    ]
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert entries(page) == expected
    more = client.get(
        ticket.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "timeline"}
    )
    assert entries(more.content.decode()) == expected
    assert "<html" not in more.content.decode()  # the conversation alone


@pytest.mark.django_db
def test_badges_show_status_and_priority_in_their_colours(client, admin, desk):
    client.force_login(admin)
    company = customers.create_company(actor=admin, data={"name": "Firma SRL"})
    contact = customers.create_contact(
        actor=admin, data={"full_name": "Maria Pop", "company": company}
    )
    urgent = services.open_ticket(
        actor=admin, channel=Channel.UI, subject="Cold", contact=contact, priority="urgent"
    )
    services.change_status(actor=admin, ticket=urgent, to="waiting", expected_version=None)
    services.open_ticket(actor=admin, channel=Channel.UI, subject="Slow", company=company)
    listed = client.get("/tickets/").content.decode()
    assert '<span class="badge badge--info">Waiting on customer</span>' in listed
    assert '<span class="badge badge--danger">Urgent</span>' in listed
    assert '<span class="badge badge--accent">New</span>' in listed
    assert '<span class="badge">Normal</span>' in listed
    # The contact linked with the company beside; a ticket of the company alone links it.
    assert (
        f'<td><a href="{contact.get_absolute_url()}">Maria Pop</a>'
        ' <span class="muted">· Firma SRL</span></td>'
    ) in listed
    assert f'<td><a href="{company.get_absolute_url()}">Firma SRL</a></td>' in listed
    page = client.get(urgent.get_absolute_url()).content.decode()
    assert '<span class="badge badge--info">Waiting on customer</span>' in page
    assert '<span class="badge badge--danger">Urgent</span>' in page
