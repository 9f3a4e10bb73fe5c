"""An agent's scripts in the browser: they write a canned reply with merge fields and a
knowledge base article, then answer a customer's ticket with both, from the keyboard; the
reply reaches the conversation with the customer's name filled in, and the article is
linked to the ticket. A duplicate ticket is merged into it. Every new page is
photographed at both widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customers
from clientela.tickets import configuration, services
from clientela.tickets.models import DEFAULT_HOURS, Channel, Ticket, TicketArticle
from clientela.users.services import role_named, team_named

from .conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_an_agent_answers_with_a_canned_reply_and_an_article(
    page, live_server, make_user, screenshot
):
    agent = make_user(
        full_name="María García", role=role_named("support-agent"), team=team_named("Support")
    )
    configuration.save_department(
        actor=None,
        department=None,
        name="Support",
        lead=agent,
        members=[agent],
        assignment="round_robin",
        time_zone="Europe/Bucharest",
        hours=DEFAULT_HOURS,
        holidays=[],
    )
    contact = customers.create_contact(
        actor=None, data={"full_name": "Vasile Ionescu", "emails": ["vasile@client.ro"]}
    )
    ticket = services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject="The oven does not heat",
        description="Since Monday the heating element stays cold.",
        contact=contact,
    )
    duplicate = services.open_ticket(
        actor=None, channel=Channel.WEB_FORM, subject="Oven still cold", contact=contact
    )
    log_in(page, live_server, agent)

    # A canned reply with merge fields, from the ticket list's "Canned replies".
    page.get_by_role("link", name="Tickets").first.click()
    page.get_by_role("link", name="Canned replies").click()
    screenshot(page, "canned-replies-empty")
    page.get_by_role("link", name="New canned reply").first.click()
    page.get_by_label("Name").fill("Greeting")
    page.get_by_label("Text").fill("Hi {{ customer.name }},")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Unknown merge field {{ customer.name }}")).to_be_visible()
    page.get_by_label("Text").fill(
        "Hi {{ contact.first_name }},\n\nthank you for ticket #{{ ticket.number }}."
    )
    screenshot(page, "canned-reply-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Greeting")).to_be_visible()
    screenshot(page, "canned-replies")

    # An article, in a category of its own.
    page.get_by_role("link", name="Knowledge base").first.click()
    screenshot(page, "knowledge-base-empty")
    page.get_by_label("New category").fill("Ovens")
    page.get_by_role("button", name="Add category").click()
    page.get_by_role("link", name="New article").first.click()
    page.get_by_label("Title").fill("Oven does not heat")
    page.get_by_label("Category").select_option(label="Ovens")
    page.get_by_label("Text").fill("Check the thermostat first.\nThen replace the heating element.")
    screenshot(page, "article-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Oven does not heat")).to_be_visible()
    screenshot(page, "article")
    page.get_by_role("link", name="Knowledge base").first.click()
    page.get_by_role("searchbox", name="Search articles").fill("thermostat")
    page.get_by_role("searchbox", name="Search articles").press("Enter")
    expect(page.get_by_role("link", name="Oven does not heat")).to_be_visible()
    screenshot(page, "knowledge-base")

    # The ticket: the canned reply from the keyboard, then the suggested article.
    page.goto(live_server.url + ticket.get_absolute_url())
    articles = page.locator("[data-ticket-articles]")
    expect(articles.get_by_role("link", name="Oven does not heat")).to_be_visible()
    # "r" goes to the picker, Tab to its button, Enter inserts.
    page.keyboard.press("r")
    expect(page.get_by_label("Canned reply")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    box = page.get_by_label("Message")
    expect(box).to_have_value(
        "Hi {{ contact.first_name }},\n\nthank you for ticket #{{ ticket.number }}."
    )
    articles.get_by_role("button", name="Insert Oven does not heat into the reply").click()
    expect(box).to_have_value(
        "Hi {{ contact.first_name }},\n\nthank you for ticket #{{ ticket.number }}."
        "\n\nOven does not heat\n\nCheck the thermostat first.\nThen replace the heating element."
    )
    expect(page.locator("[data-inserted-articles]")).to_contain_text("Oven does not heat")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent on")).to_be_visible()
    conversation = page.locator("#timeline")
    expect(conversation.get_by_text(f"thank you for ticket #{ticket.pk}.")).to_be_visible()
    expect(conversation.get_by_text("Hi Vasile,")).to_be_visible()
    expect(page.locator("[data-used-articles]")).to_contain_text("Oven does not heat")
    assert TicketArticle.objects.filter(ticket=ticket).count() == 1

    # The duplicate is merged into it.
    page.get_by_label("The other ticket's number").fill(str(duplicate.pk))
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(
        page.get_by_text(f"Ticket #{duplicate.pk} was merged into this one and closed.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Undo the merge")).to_be_visible()
    expect(conversation.get_by_text("Oven still cold").first).to_be_visible()
    screenshot(page, "ticket-with-scripts")
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into_id == ticket.pk
    page.goto(live_server.url + duplicate.get_absolute_url())
    expect(page.get_by_text(f"This ticket was merged into ticket #{ticket.pk}")).to_be_visible()
    screenshot(page, "ticket-merged")
    assert Ticket.objects.get(pk=ticket.pk).messages.count() == 3
