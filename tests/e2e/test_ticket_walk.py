"""A ticket's walk in the browser: a visitor asks for help on the public form, the
routing rule puts the request in Billing and assigns it, the agent answers and resolves
it, and the customer's page shows it. Every desk page is photographed at both widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.tickets import configuration
from clientela.tickets.models import DEFAULT_HOURS, Ticket
from clientela.users.services import role_named, team_named

PASSWORD = "Corect-cal-baterie-9"


@pytest.mark.django_db(transaction=True)
def test_public_request_routed_answered_and_resolved(page, live_server, make_user, screenshot):
    team = team_named("Support")
    agent = make_user(full_name="María García", role=role_named("support-agent"), team=team)
    admin = make_user(email="admin@firma.ro", full_name="Admin Ana", administrator=True)
    configuration.save_department(
        actor=None,
        department=None,
        name="Support",
        lead=None,
        members=[admin],
        assignment="round_robin",
        time_zone="Europe/Bucharest",
        hours=DEFAULT_HOURS,
        holidays=[],
    )
    billing = configuration.save_department(
        actor=None,
        department=None,
        name="Billing",
        lead=agent,
        members=[agent],
        assignment="least_loaded",
        time_zone="Europe/Bucharest",
        hours=DEFAULT_HOURS,
        holidays=["2026-12-25"],
    )
    configuration.save_rule(
        actor=None,
        rule=None,
        name="Invoices",
        department=billing,
        position=10,
        keywords="invoice, refund",
    )

    # A visitor, not logged in.
    page.goto(live_server.url + "/support/")
    expect(page.get_by_role("heading", name="Ask for help")).to_be_visible()
    screenshot(page, "ticket-public-form")
    page.get_by_label("Your name").fill("Vasile Client")
    page.get_by_label("Your e-mail").fill("vasile@client.ro")
    page.get_by_label("Subject").fill("Invoice sent twice")
    page.get_by_label("How can we help?").fill("We got invoice INV-12 twice. Please cancel one.")
    page.get_by_role("button", name="Send request").click()
    ticket = Ticket.objects.get()
    expect(page.locator("strong", has_text=f"#{ticket.pk}")).to_be_visible()
    screenshot(page, "ticket-public-thanks")
    assert ticket.department == billing and ticket.owner == agent

    # The agent.
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, María")).to_be_visible()
    page.get_by_role("link", name="Tickets").first.click()
    row = page.get_by_role("row").filter(has_text="Invoice sent twice")
    expect(row.get_by_text("Billing")).to_be_visible()
    expect(row.get_by_text("due in")).to_be_visible()
    screenshot(page, "ticket-list")
    row.get_by_role("link", name="Invoice sent twice").click()
    expect(page.get_by_role("heading", name="Invoice sent twice")).to_be_visible()
    expect(page.get_by_text("We got invoice INV-12 twice.").first).to_be_visible()
    page.get_by_label("Message").fill("Sorry about that: we cancelled the second one.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent on")).to_be_visible()
    expect(page.get_by_text("Sorry about that: we cancelled the second one.")).to_be_visible()
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.locator(".record-header").get_by_text("Resolved", exact=True)).to_be_visible()
    screenshot(page, "ticket-detail")
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.first_responded_at is not None

    # The customer's page shows the ticket and its conversation.
    page.goto(live_server.url + ticket.contact.get_absolute_url())
    expect(
        page.get_by_role("region", name="Tickets").get_by_text("Invoice sent twice")
    ).to_be_visible()
    expect(page.locator("#timeline").get_by_text(f"Ticket #{ticket.pk} opened")).to_be_visible()

    # The desk's settings, as an administrator.
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Admin")).to_be_visible()
    page.goto(live_server.url + "/settings/desk/")
    expect(page.get_by_role("link", name="Invoices")).to_be_visible()
    screenshot(page, "ticket-settings")
    page.goto(live_server.url + f"/settings/desk/departments/{billing.pk}/")
    screenshot(page, "ticket-department")
    page.goto(live_server.url + "/settings/desk/rules/new/")
    screenshot(page, "ticket-rule")
    page.goto(live_server.url + "/tickets/new/")
    screenshot(page, "ticket-new")
