"""A support inbox's walk in the browser: an e-mail to the desk's address becomes a
ticket in the inbox's queue, assigned there; the agent finds it in their queue, answers
and waits on the customer; the answer leaves by e-mail from the inbox, threaded; the
customer's reply to it joins the ticket and opens it again. Real IMAP and SMTP servers
behind it (tests/mail_servers.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.channels import mail, services
from clientela.tickets import configuration, outbound
from clientela.tickets.models import DEFAULT_HOURS, Ticket, TicketMessage
from clientela.users.services import role_named, team_named
from tests.e2e.conftest import log_in
from tests.mail_servers import raw_mail


@pytest.mark.django_db(transaction=True)
def test_an_email_becomes_a_ticket_in_its_queue_and_the_customers_reply_reopens_it(
    page, live_server, make_user, account, mailbox, smtp_server, screenshot
):
    team = team_named("Support")
    role = role_named("support-agent")
    other = make_user(email="ion@firma.ro", full_name="Ion Popa", role=role, team=team)
    agent = make_user(email="maria@firma.ro", full_name="María García", role=role, team=team)

    def queue(name, member):
        return configuration.save_department(
            actor=None,
            department=None,
            name=name,
            lead=member,
            members=[member],
            assignment="round_robin",
            time_zone="Europe/Bucharest",
            hours=DEFAULT_HOURS,
            holidays=[],
        )

    queue("Support", other)  # the first queue, where unrouted requests would go
    billing = queue("Billing", agent)
    account.desk_department = billing
    account.save()

    # The customer writes to the support inbox; the worker fetches it.
    mailbox.deliver(
        raw_mail(subject="Invoice INV-7 charged twice", body="My card was charged twice.")
    )
    assert services.fetch_account(account) == 1
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.department, ticket.owner) == ("email", billing, agent)

    # The agent finds it in their queue.
    log_in(page, live_server, agent)
    mine = page.locator("[data-home-tickets]").get_by_role("region", name="My open tickets")
    expect(mine.get_by_role("link", name="Invoice INV-7 charged twice")).to_be_visible()
    page.goto(live_server.url + "/tickets/?status=active&assignee=me")
    row = page.get_by_role("row").filter(has_text="Invoice INV-7 charged twice")
    expect(row.get_by_text("Billing")).to_be_visible()
    screenshot(page, "ticket-email-queue")
    row.get_by_role("link", name="Invoice INV-7 charged twice").click()
    expect(page.get_by_role("heading", name="Invoice INV-7 charged twice")).to_be_visible()
    expect(page.get_by_text("My card was charged twice.").first).to_be_visible()

    # The agent answers and waits on the customer.
    page.get_by_label("Message").fill("We refunded the second charge. Can you see it?")
    page.get_by_label("Then set the ticket").select_option(label="Waiting on customer")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent on")).to_be_visible()
    header = page.locator(".record-header")
    expect(header.get_by_text("Waiting on customer", exact=True)).to_be_visible()

    # The reply job sends it from the inbox, threaded on the customer's message.
    answer = TicketMessage.objects.filter(ticket=ticket, from_customer=False).get()
    before = len(smtp_server[1].received)
    assert outbound.deliver(answer.pk) is True
    assert len(smtp_server[1].received) == before + 1
    _sender, recipients, raw = smtp_server[1].received[-1]
    sent = mail.parse(raw)
    assert recipients == ["emily@carter.co"] and sent.in_reply_to == "<m1@carter.co>"
    assert "We refunded the second charge." in sent.text

    # The customer answers that e-mail: the ticket is open again, with their words on it.
    mailbox.deliver(
        raw_mail(message_id="<m2@carter.co>", subject=f"Re: {sent.subject}",
                 body="Yes, I see the refund. Thank you!",
                 extra=f"In-Reply-To: {sent.message_id}\r\nReferences: {sent.message_id}\r\n")
    )  # fmt: skip
    assert services.fetch_account(account) == 1
    page.reload()
    expect(header.get_by_text("Open", exact=True)).to_be_visible()
    expect(page.get_by_text("Yes, I see the refund. Thank you!").first).to_be_visible()
    screenshot(page, "ticket-email-reopened")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.sla_paused_at is None
    assert Ticket.objects.count() == 1
    page.goto(live_server.url + "/")
    expect(mine.get_by_role("link", name="Invoice INV-7 charged twice")).to_be_visible()
