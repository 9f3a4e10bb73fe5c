"""A support inbox feeds the desk: a new e-mail opens a ticket in the inbox's department, an
answer (by its headers or the "[#number]" in its subject) joins its ticket, and an agent's
reply goes back out by e-mail from that inbox, threaded, once."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.channels import mail, services
from clientela.channels.models import Message
from clientela.tickets import outbound
from clientela.tickets import services as tickets
from clientela.tickets.models import Ticket, TicketMessage, TicketStatus
from tests.mail_servers import raw_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(account, desk):
    account.desk_department = desk["billing"]
    account.save()
    return account


def test_a_new_message_opens_a_ticket_in_the_inbox_department(inbox, mailbox, desk, agents):
    mailbox.deliver(raw_mail(subject="Invoice 42 is wrong", body="Please fix the VAT."))
    assert services.fetch_account(inbox) == 1
    ticket = Ticket.objects.get()
    assert ticket.channel == "email" and ticket.department == desk["billing"]
    assert ticket.subject == "Invoice 42 is wrong" and "VAT" in ticket.description
    assert ticket.owner == agents[2]  # assigned in the department's way
    assert ticket.contact.email == "emily@carter.co" and ticket.contact.full_name == "Emily Carter"
    first = TicketMessage.objects.get(ticket=ticket)
    assert first.from_customer and first.external_id == "<m1@carter.co>"
    assert Message.objects.get().activity_id == first.activity_id  # one entry, not two
    # Fetched again after a kill: still one ticket.
    from clientela.channels.models import MailFolder

    MailFolder.objects.filter(account=inbox).update(last_uid=0)
    services.fetch_account(inbox)
    assert Ticket.objects.count() == 1


def test_answers_join_their_ticket_by_headers_or_by_number(inbox, mailbox, agents):
    mailbox.deliver(raw_mail(subject="Broken oven"))
    services.fetch_account(inbox)
    ticket = Ticket.objects.get()
    tickets.change_status(actor=agents[2], ticket=ticket, to="waiting", expected_version=None)
    mailbox.deliver(
        raw_mail(message_id="<m2@carter.co>", subject="Re: Broken oven", body="Still cold",
                 extra="In-Reply-To: <m1@carter.co>\r\nReferences: <m1@carter.co>\r\n")
    )  # fmt: skip
    mailbox.deliver(
        raw_mail(message_id="<m3@carter.co>", subject=f"More on it [#{ticket.pk}]", body="Photo")
    )
    # Someone else naming the number opens their own ticket, not one on Emily's.
    mailbox.deliver(
        raw_mail(sender="Mallory <mallory@evil.example>", message_id="<x1@evil.example>",
                 subject=f"Re: [#{ticket.pk}] refund me")
    )  # fmt: skip
    services.fetch_account(inbox)
    assert Ticket.objects.count() == 2
    answers = TicketMessage.objects.filter(ticket=ticket).order_by("id")
    assert [m.external_id for m in answers] == [
        "<m1@carter.co>",
        "<m2@carter.co>",
        "<m3@carter.co>",
    ]
    assert all(m.from_customer for m in answers)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN  # the customer answered: open again
    assert ticket.sla_paused_at is None


def test_an_agent_reply_goes_out_from_the_inbox_threaded_and_once(
    inbox, mailbox, smtp_server, agents
):
    mailbox.deliver(raw_mail(subject="Broken oven"))
    services.fetch_account(inbox)
    ticket = Ticket.objects.get()
    reply = tickets.reply(actor=agents[2], ticket=ticket, body="Try the reset button.")
    job = DBTaskResult.objects.get(task_path="clientela.tickets.tasks.deliver_reply")
    assert job.args_kwargs["args"] == [reply.pk]
    internal = tickets.reply(actor=agents[2], ticket=ticket, body="Note", internal=True)
    assert DBTaskResult.objects.filter(args_kwargs__args=[internal.pk]).count() == 0
    before = len(smtp_server[1].received)
    assert outbound.deliver(reply.pk) is True
    assert outbound.deliver(reply.pk) is False  # a job run twice sends once
    assert len(smtp_server[1].received) == before + 1
    _sender, recipients, raw = smtp_server[1].received[-1]
    sent = mail.parse(raw)
    assert recipients == ["emily@carter.co"]
    assert sent.in_reply_to == "<m1@carter.co>" and sent.subject.endswith(f"[#{ticket.pk}]")
    assert "Try the reset button." in sent.text
    assert [mail.parse(m).message_id for m in mailbox.messages(mailbox.sent)] == [sent.message_id]
    reply.refresh_from_db()
    assert reply.external_id == sent.message_id
    kept = Message.objects.get(external_id=sent.message_id)
    assert kept.direction == "outbound" and kept.activity_id == reply.activity_id
    assert kept.conversation_id == Message.objects.get(external_id="<m1@carter.co>").conversation_id
    # The customer answers the reply: it joins the ticket.
    mailbox.deliver(
        raw_mail(message_id="<m5@carter.co>", subject="Re: it works",
                 extra=f"In-Reply-To: {sent.message_id}\r\n")
    )  # fmt: skip
    services.fetch_account(inbox)
    assert Ticket.objects.count() == 1
    assert TicketMessage.objects.filter(ticket=ticket, external_id="<m5@carter.co>").exists()


def test_a_reply_sent_from_another_mail_program_lands_on_its_ticket(
    inbox, mailbox, smtp_server, agents
):
    from clientela.channels.models import MailFolder
    from tests.mail_servers import IMAP_USER

    mailbox.deliver(raw_mail(subject="Broken oven"))
    services.fetch_account(inbox)
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.NEW and ticket.first_responded_at is None
    sent_before = len(smtp_server[1].received)
    # An agent answers from their phone's mail program: only the Sent folder holds it.
    mailbox.deliver(
        raw_mail(sender=f"Billing <{IMAP_USER}>", to="Emily Carter <emily@carter.co>",
                 subject="Re: Broken oven", body="A technician comes on Monday.",
                 message_id="<desk1@firma.ro>",
                 extra="In-Reply-To: <m1@carter.co>\r\nReferences: <m1@carter.co>\r\n"),
        folder=mailbox.sent,
    )  # fmt: skip
    # Another one naming the ticket's number only, and one to someone else naming it.
    mailbox.deliver(
        raw_mail(sender=IMAP_USER, to="emily@carter.co", message_id="<desk2@firma.ro>",
                 subject=f"Your oven [#{ticket.pk}]", body="The part is ordered."),
        folder=mailbox.sent,
    )  # fmt: skip
    mailbox.deliver(
        raw_mail(sender=IMAP_USER, to="mallory@evil.example", message_id="<desk3@firma.ro>",
                 subject=f"About [#{ticket.pk}]", body="Not for the customer."),
        folder=mailbox.sent,
    )  # fmt: skip
    assert services.fetch_account(inbox) == 3
    replies = TicketMessage.objects.filter(ticket=ticket).order_by("id")
    assert [(m.external_id, m.from_customer, m.internal) for m in replies] == [
        ("<m1@carter.co>", True, False),
        ("<desk1@firma.ro>", False, False),
        ("<desk2@firma.ro>", False, False),
    ]
    first_reply = replies[1]
    assert first_reply.activity.body == "A technician comes on Monday."
    assert first_reply.activity.direction == "outbound"
    kept = Message.objects.get(external_id="<desk1@firma.ro>")
    assert kept.direction == "outbound" and kept.activity_id == first_reply.activity_id
    assert kept.conversation_id == Message.objects.get(external_id="<m1@carter.co>").conversation_id
    # It answered the customer: the first-response clock stopped when it was written.
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.first_responded_at == kept.sent_at
    # Already sent: nothing goes out again, no delivery job.
    assert len(smtp_server[1].received) == sent_before
    assert not DBTaskResult.objects.filter(task_path="clientela.tickets.tasks.deliver_reply")
    assert outbound.deliver(first_reply.pk) is False
    # The one to someone else is no reply on the ticket.
    assert Message.objects.get(external_id="<desk3@firma.ro>").activity_id not in {
        m.activity_id for m in replies
    }
    # Read again after a kill: still one reply each.
    MailFolder.objects.filter(account=inbox).update(last_uid=0)
    assert services.fetch_account(inbox) == 0
    assert TicketMessage.objects.filter(ticket=ticket).count() == 3


def test_a_personal_account_does_not_open_tickets(account, mailbox):
    mailbox.deliver(raw_mail())
    services.fetch_account(account)
    assert not Ticket.objects.exists() and Message.objects.count() == 1
