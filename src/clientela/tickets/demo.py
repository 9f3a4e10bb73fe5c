"""Demo desk: Support and Billing departments, routing rules, and tickets in every status,
some answered, one waiting on the customer, so the list, a ticket and the settings have
data."""

from __future__ import annotations

from clientela.activities.models import Priority
from clientela.customers.models import Contact
from clientela.tickets import configuration, services
from clientela.tickets.models import DEFAULT_HOURS, Assignment, Channel, Ticket, TicketStatus

REQUESTS = [
    ("The oven does not heat up", "Since Monday the second oven stays cold.", Priority.HIGH),
    ("Invoice sent twice", "We received invoice INV-12 twice, please cancel one.", Priority.NORMAL),
    ("How do I change the delivery address?", "We moved to a new warehouse.", Priority.LOW),
    ("Refund for the returned chairs", "The chairs went back last week.", Priority.NORMAL),
    ("Machine stopped during production", "Error E42 on the packaging line.", Priority.URGENT),
    ("Training for new staff", "Can we book two days in March?", Priority.LOW),
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
