"""The customer's side of a ticket, in the browser: a request from the public form is
routed and answered with a canned reply and an article, resolved; the customer opens the
survey link of the e-mail and rates the help; the rating shows on the customer's page and
in the support dashboard's report per agent. The survey's pages are measured and
photographed at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clientela.tickets import configuration, knowledge, surveys
from clientela.tickets.models import DEFAULT_HOURS, Survey, Ticket
from clientela.users.services import role_named, team_named
from tests.e2e.conftest import DESKTOP, PHONE, log_in

WIDER_THAN_WINDOW = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


def fits(page) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate(WIDER_THAN_WINDOW) <= 0, f"{page.url} is wider than {size}"
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_a_resolved_request_is_rated_by_its_customer(
    page, live_server, make_user, screenshot, mailoutbox, settings
):
    settings.PUBLIC_URL = live_server.url
    agent = make_user(
        full_name="María García", role=role_named("support-agent"), team=team_named("Support")
    )
    lead = make_user(email="lead@firma.ro", full_name="Lead Ana", administrator=True)
    billing = configuration.save_department(
        actor=None,
        department=None,
        name="Billing",
        lead=lead,
        members=[agent],
        assignment="round_robin",
        time_zone="UTC",
        hours={str(day): ["00:00", "23:59"] for day in range(7)},
        holidays=[],
    )
    configuration.save_department(
        actor=None,
        department=None,
        name="Support",
        lead=None,
        members=[lead],
        assignment="round_robin",
        time_zone="UTC",
        hours=DEFAULT_HOURS,
        holidays=[],
    )
    configuration.save_rule(
        actor=None, rule=None, name="Invoices", department=billing, position=10, keywords="invoice"
    )
    knowledge.create_canned_reply(
        actor=lead, data={"name": "Sorry", "body": "Hello {{ contact.first_name }}, sorted."}
    )
    knowledge.create_article(
        actor=lead, data={"title": "Invoices sent twice", "body": "We cancel the second invoice."}
    )

    # The customer asks for help.
    page.goto(live_server.url + "/support/")
    page.get_by_label("Your name").fill("Vasile Client")
    page.get_by_label("Your e-mail").fill("vasile@client.ro")
    page.get_by_label("Subject").fill("Invoice sent twice")
    page.get_by_label("How can we help?").fill("We got the invoice twice.")
    page.get_by_role("button", name="Send request").click()
    ticket = Ticket.objects.get()
    expect(page.locator("strong", has_text=f"#{ticket.pk}")).to_be_visible()
    assert ticket.department == billing and ticket.owner == agent

    # The agent answers with the canned reply and the article, and resolves.
    log_in(page, live_server, agent)
    mine = page.locator("[data-home-tickets]")
    expect(mine.get_by_role("link", name=re.compile("Invoice sent twice"))).to_be_visible()
    fits(page)
    screenshot(page, "home-agent")
    page.goto(live_server.url + ticket.get_absolute_url())
    page.get_by_role("button", name="Insert", exact=True).click()
    box = page.get_by_label("Message")
    expect(box).to_have_value("Hello {{ contact.first_name }}, sorted.")
    page.locator("[data-ticket-articles]").get_by_role(
        "button", name="Insert Invoices sent twice into the reply"
    ).click()
    expect(box).to_have_value(re.compile("We cancel the second invoice"))
    page.locator("#reply-status").select_option("resolved")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent on")).to_be_visible()
    expect(page.locator("[data-used-articles]")).to_contain_text("Invoices sent twice")
    expect(page.locator("[data-csat]")).to_contain_text("on its way")

    # The survey job e-mails the customer the link.
    survey = Survey.objects.get(ticket=ticket)
    assert surveys.send(survey.pk)
    link = re.search(r"http://\S+/survey/\S+/", mailoutbox[-1].body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    fits(page)
    screenshot(page, "survey")
    page.get_by_text("4 · Satisfied").click()
    page.get_by_label("Anything you would like to tell us?").fill("Quick, thank you.")
    page.get_by_role("button", name="Send my answer").click()
    expect(
        page.get_by_text(f"You rated the help on request #{ticket.pk} 4 out of 5.")
    ).to_be_visible()
    fits(page)
    screenshot(page, "survey-answered")
    page.goto(link.replace("/survey/", "/survey/x"))
    expect(page.get_by_role("heading", name="This survey link can't be used")).to_be_visible()
    fits(page)
    screenshot(page, "survey-refused")

    # The lead sees the rating on the ticket, the customer's page and the report.
    log_in(page, live_server, lead)
    queues = page.locator("[data-home-queues]")
    expect(queues.get_by_role("row", name=re.compile("Billing"))).to_be_visible()
    fits(page)
    screenshot(page, "home-lead")
    page.goto(live_server.url + ticket.get_absolute_url())
    expect(page.locator("[data-csat-rating='4']")).to_be_visible()
    expect(page.get_by_text("Quick, thank you.")).to_be_visible()
    screenshot(page, "survey-on-ticket")
    page.goto(live_server.url + ticket.contact.get_absolute_url())
    expect(page.locator("[data-customer-csat]")).to_have_text(
        "Satisfaction: 4.0 out of 5, from 1 answer"
    )
    screenshot(page, "survey-on-customer")
    page.goto(live_server.url + "/dashboards/support/")
    report = page.locator("table").filter(has_text="María García").filter(has_text="Average rating")
    expect(report.get_by_role("row", name=re.compile("María García"))).to_contain_text("4")
    screenshot(page, "survey-report")
