"""The desk on the home page: an agent's open tickets by the deadline that comes next
(breaches first) and those waiting on the customer; a lead's queues with their load,
breaches and near breaches, and the tickets no one has."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.tickets import selectors, services
from clientela.tickets.models import Channel, Ticket


def open_(subject, **extra):
    return services.open_ticket(actor=None, channel=Channel.UI, subject=subject, **extra)


@pytest.mark.django_db
def test_an_agent_sees_breaches_first_and_what_waits_on_the_customer(desk, agents, client):
    now = timezone.now()
    open_("Calm", assignee=agents[1])
    late = open_("Late", assignee=agents[1])
    Ticket.objects.filter(pk=late.pk).update(first_response_due=now - datetime.timedelta(hours=1))
    waiting = open_("Waiting", assignee=agents[1])
    services.reply(actor=agents[1], ticket=waiting, body="Which model?", status="waiting")
    open_("Someone else's", assignee=agents[0])
    home = selectors.desk_home(agents[1])
    assert [t.subject for t in home["mine"]["tickets"]] == ["Late", "Calm"]
    assert [t.subject for t in home["mine"]["waiting_tickets"]] == ["Waiting"]
    assert (home["mine"]["open"], home["mine"]["waiting"], home["mine"]["breached"]) == (2, 1, 1)
    assert "queues" not in home  # a member, not a lead, without reports
    client.force_login(agents[1])
    page = client.get("/").content.decode()
    assert "My open tickets" in page and "1 breached" in page
    assert page.index("Late") < page.index("Calm") and "Waiting on the customer" in page


@pytest.mark.django_db
def test_a_lead_sees_every_queue_with_its_breaches_and_unassigned_tickets(desk, agents, client):
    now = timezone.now()
    late = open_("Late", department=desk["billing"], assignee=agents[2])
    Ticket.objects.filter(pk=late.pk).update(resolution_due=now - datetime.timedelta(minutes=5))
    soon = open_("Soon", department=desk["billing"], assignee=agents[2])
    Ticket.objects.filter(pk=soon.pk).update(first_response_due=now + datetime.timedelta(minutes=5))
    nobody = open_("Nobody's", department=desk["support"])
    Ticket.objects.filter(pk=nobody.pk).update(owner=None)
    home = selectors.desk_home(agents[2])  # the lead of Billing
    rows = {row["department"].name: row for row in home["queues"]["rows"]}
    assert (rows["Billing"]["open"], rows["Billing"]["breached"], rows["Billing"]["near"]) == (
        2,
        1,
        1,
    )
    assert rows["Support"]["unassigned"] == 1
    assert [t.subject for t in home["queues"]["unassigned"]] == ["Nobody's"]
    client.force_login(agents[2])
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/").content.decode()
    assert "Queues" in page and "Tickets no one has yet" in page
    for i in range(5):
        open_(f"More {i}", department=desk["billing"])
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


@pytest.mark.django_db
def test_no_desk_on_the_home_of_someone_outside_it(desk, client, make_user):
    seller = make_user(email="seller@firma.ro", full_name="Seller")
    assert selectors.desk_home(seller) == {}
    client.force_login(seller)
    assert "My open tickets" not in client.get("/").content.decode()
