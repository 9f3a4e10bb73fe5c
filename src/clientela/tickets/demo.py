"""Demo desk: Support and Billing departments, routing rules, and tickets in every status,
some answered, one waiting on the customer, so the list, a ticket and the settings have
data; canned replies and knowledge base articles an agent answers with."""

from __future__ import annotations

from clientela.activities.models import Priority
from clientela.customers.models import Contact
from clientela.tickets import configuration, knowledge, services
from clientela.tickets.models import DEFAULT_HOURS, Assignment, Channel, Ticket, TicketStatus

REQUESTS = [
    ("The oven does not heat up", "Since Monday the second oven stays cold.", Priority.HIGH),
    ("Invoice sent twice", "We received invoice INV-12 twice, please cancel one.", Priority.NORMAL),
    ("How do I change the delivery address?", "We moved to a new warehouse.", Priority.LOW),
    ("Refund for the returned chairs", "The chairs went back last week.", Priority.NORMAL),
    ("Machine stopped during production", "Error E42 on the packaging line.", Priority.URGENT),
    ("Training for new staff", "Can we book two days in March?", Priority.LOW),
]
CANNED = [
    (
        "Greeting",
        "Hello {{ contact.first_name }},\n\nthank you for writing to us about ticket "
        "#{{ ticket.number }}.\n\n{{ agent.name }}",
    ),
    (
        "Waiting for details",
        "Hello {{ contact.first_name }},\n\ncould you send us the order number and a photo? "
        "We will answer as soon as we have them.\n\n{{ agent.name }}",
    ),
]
ARTICLES = [
    (
        "Ovens",
        "Oven does not heat up",
        "1. Check that the thermostat is above 50 °C.\n2. Check the fuse in the back panel."
        "\n3. If both are fine, the heating element needs replacing: book a technician.",
    ),
    (
        "Billing",
        "Invoice sent twice",
        "Cancel the second invoice with a credit note from the order page; the customer "
        "receives the credit note by e-mail.",
    ),
    (
        "Billing",
        "Refunds for returned goods",
        "A refund is paid when the returned goods reach the warehouse, within five working "
        "days, to the card or account the customer paid from.",
    ),
]
STATUSES = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED]


def load() -> str:
    if Ticket.objects.exists():
        return "tickets already there"
    support = services.ensure_department()
    billing = configuration.save_department(
        actor=None,
        department=None,
        name="Billing",
        lead=None,
        members=list(support.members.all()),
        assignment=Assignment.LEAST_LOADED,
        time_zone=support.time_zone,
        hours=DEFAULT_HOURS,
        holidays=[],
    )
    configuration.save_rule(
        actor=None,
        rule=None,
        name="Invoices and refunds",
        department=billing,
        position=10,
        keywords="invoice, refund, payment, factura",
    )
    for name, body in CANNED:
        knowledge.create_canned_reply(actor=None, data={"name": name, "body": body})
    shelves: dict[str, object] = {}
    for shelf, title, body in ARTICLES:
        if shelf not in shelves:
            shelves[shelf] = knowledge.create_category(actor=None, name=shelf)
        knowledge.create_article(
            actor=None, data={"title": title, "body": body, "category": shelves[shelf]}
        )
    contacts = list(Contact.objects.live().order_by("pk")[: len(REQUESTS)])
    for i, (subject, text, priority) in enumerate(REQUESTS):
        contact = contacts[i % len(contacts)] if contacts else None
        ticket = services.open_ticket(
            actor=None,
            channel=Channel.WEB_FORM if i % 2 else Channel.UI,
            subject=subject,
            description=text,
            contact=contact,
            email="" if contact else f"customer{i}@example.com",
            priority=priority,
        )
        status = STATUSES[i % len(STATUSES)]
        if status != TicketStatus.NEW and ticket.owner is not None:
            services.reply(
                actor=ticket.owner,
                ticket=ticket,
                body="Thank you, we are looking into it and will write again today.",
                status=status,
            )
    return f"{len(REQUESTS)} tickets added"
