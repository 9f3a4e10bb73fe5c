"""The ticket pages as an agent uses them, and the public request form as a visitor and
a bot meet it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from clientela.customers import services as customers
from clientela.tickets import configuration, services
from clientela.tickets.models import Channel, Ticket
from tests.record_pages import shown


def open_(subject="The oven is cold", **extra):
    extra.setdefault("email", "maria@client.ro")
    return services.open_ticket(
        actor=None, channel=Channel.WEB_FORM, subject=subject, description="Help", **extra
    )


@pytest.fixture
def agent_client(client, agents):
    client.force_login(agents[0])
    return client


@pytest.mark.django_db
def test_the_list_filters_by_status_department_assignee_and_priority(agent_client, desk, agents):
    oven = open_("The oven is cold", priority="urgent")
    invoice = open_("Invoice twice", department=desk["billing"])
    services.change_status(actor=agents[0], ticket=invoice, to="resolved", expected_version=None)

    def listed(query: str) -> set[str]:
        body = agent_client.get(f"/tickets/{query}").content.decode()
        return {subject for subject in ("The oven is cold", "Invoice twice") if subject in body}

    assert listed("") == {"The oven is cold", "Invoice twice"}
    assert listed("?status=active") == {"The oven is cold"}
    assert listed("?status=resolved") == {"Invoice twice"}
    assert listed(f"?department={desk['billing'].pk}") == {"Invoice twice"}
    assert listed(f"?assignee={oven.owner.pk}") == {"The oven is cold"}
    assert listed("?priority=urgent") == {"The oven is cold"}
    assert listed("?q=invoice") == {"Invoice twice"}
    assert listed(f"?q=%23{oven.pk}") == {"The oven is cold"}


@pytest.mark.django_db
def test_the_list_shows_the_sla_timer(agent_client, desk):
    ticket = open_()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=ticket.created_at.replace(year=2020)
    )
    assert "breached" in agent_client.get("/tickets/").content.decode()


@pytest.mark.django_db
def test_an_agent_answers_resolves_and_transfers_from_the_ticket_page(agent_client, desk, agents):
    ticket = open_()
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "The oven is cold" in page and "Mark resolved" in page
    agent_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "A technician comes tomorrow.", "version": ticket.version, "status": "waiting"},
    )
    ticket.refresh_from_db()
    assert ticket.status == "waiting" and ticket.first_responded_at is not None
    agent_client.post(
        f"/tickets/{ticket.pk}/transfer/",
        {"department": desk["billing"].pk, "reason": "Warranty is billing's"},
    )
    ticket.refresh_from_db()
    assert ticket.department == desk["billing"]
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "A technician comes tomorrow." in page and "Warranty is billing&#x27;s" in page
    response = agent_client.post(f"/tickets/{ticket.pk}/status/", {"to": "resolved"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


@pytest.mark.django_db
def test_a_refused_move_is_said_on_the_page(agent_client, desk):
    ticket = open_()
    services.change_status(actor=None, ticket=ticket, to="closed", expected_version=None)
    response = agent_client.post(f"/tickets/{ticket.pk}/status/", {"to": "waiting"}, follow=True)
    assert "can&#x27;t be marked" in response.content.decode()


@pytest.mark.django_db
def test_a_new_ticket_from_a_contacts_page(agent_client, desk):
    contact = customers.create_contact(actor=None, data={"full_name": "Maria Client"})
    page = shown(agent_client, contact.get_absolute_url())
    assert f"/tickets/new/?customer=contact:{contact.pk}" in page
    response = agent_client.post(
        "/tickets/new/",
        {"customer": f"contact:{contact.pk}", "subject": "Broken chair", "priority": "high"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.contact == contact
    assert ticket.channel == "ui" and ticket.priority == "high"
    assert "Broken chair" in shown(agent_client, contact.get_absolute_url())


@pytest.mark.django_db
def test_a_new_ticket_without_a_customer_asks_for_an_email(agent_client, desk):
    response = agent_client.post("/tickets/new/", {"subject": "No one", "priority": "normal"})
    assert response.status_code == 400
    assert "Give the customer" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_public_form_opens_a_ticket_and_thanks_with_its_number(client, desk):
    cache.clear()
    form = client.get("/support/")
    assert form.status_code == 200 and 'name="website"' in form.content.decode()
    response = client.post(
        "/support/",
        {
            "name": "Vasile Client",
            "email": "vasile@client.ro",
            "subject": "Refund please",
            "description": "The chairs went back.",
            "website": "",
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.channel == "web_form" and ticket.contact.email == "vasile@client.ro"
    assert f"#{ticket.pk}" in response.content.decode()
    assert "Thank you" in response.content.decode()


@pytest.mark.django_db
def test_the_public_form_keeps_nothing_a_bot_sends(client, desk):
    cache.clear()
    response = client.post(
        "/support/",
        {
            "name": "Bot",
            "email": "bot@spam.example",
            "subject": "Cheap pills",
            "description": "Buy now",
            "website": "http://spam.example",
        },
        follow=True,
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_public_form_is_rate_limited_per_address(client, desk, settings):
    cache.clear()
    settings.SUPPORT_FORM_RATE_PER_HOUR = 2
    data = {"name": "A", "email": "a@client.ro", "subject": "Hi", "description": "Hello"}
    for _ in range(2):
        assert client.post("/support/", data).status_code == 302
    refused = client.post("/support/", data)
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_the_public_form_says_what_is_missing(client, desk):
    cache.clear()
    response = client.post("/support/", {"name": "A", "email": "not-an-email"})
    assert response.status_code == 400
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_settings_pages_add_a_department_and_a_rule(client, admin, desk, agents):
    client.force_login(admin)
    page = client.get("/settings/desk/").content.decode()
    # The departments, the default SLA targets (normal: first answer in 8 business hours)
    # and the status moves the business allows.
    assert "Billing" in page and "8 h" in page and "Waiting on customer" in page
    hours = {f"opens_{d}": "08:00" for d in range(5)} | {f"closes_{d}": "16:00" for d in range(5)}
    response = client.post(
        "/settings/desk/departments/new/",
        {
            "name": "Returns",
            "lead": agents[2].pk,
            "members": [agents[2].pk],
            "assignment": "least_loaded",
            "time_zone": "Europe/Madrid",
            "holidays": "2026-12-25\n2027-01-01",
            **hours,
        },
    )
    assert response.status_code == 302
    returns = configuration.Department.objects.get(name="Returns")
    assert returns.hours["0"] == ["08:00", "16:00"] and "5" not in returns.hours
    assert returns.holidays == ["2026-12-25", "2027-01-01"]
    response = client.post(
        "/settings/desk/rules/new/",
        {
            "name": "Returns",
            "department": returns.pk,
            "position": 1,
            "keywords": "return",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert open_("I want to return the chairs").department == returns


@pytest.mark.django_db
def test_a_rule_without_conditions_is_refused_with_a_reason(client, admin, desk):
    client.force_login(admin)
    response = client.post(
        "/settings/desk/rules/new/",
        {"name": "Everything", "department": desk["billing"].pk, "position": 1},
    )
    assert response.status_code == 400
    assert "at least one condition" in response.content.decode()


@pytest.mark.django_db
def test_the_sidebar_shows_tickets_to_roles_that_see_them(client, agents, make_user):
    from clientela.users.models import Role
    from clientela.users.services import role_named

    client.force_login(agents[0])
    assert 'href="/tickets/"' in client.get("/").content.decode()
    contacts_only = Role.objects.create(
        key="contacts-only",
        name="Contacts only",
        permissions={"records": {"contact": {"view": "all", "edit": "own", "delete": "none"}}},
    )
    nobody = make_user(email="nobody@firma.ro", role=contacts_only)
    client.force_login(nobody)
    assert 'href="/tickets/"' not in client.get("/my-day/").content.decode()
    assert role_named("support-agent").permissions["records"]["ticket"]["edit"] == "all"
