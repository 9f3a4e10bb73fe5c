"""Opening a ticket, the one way one comes in from any channel: its customer (found or
made from the e-mail address), routed to a department, its SLA clock started, assigned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind, Priority
from clientela.core import audit, permissions, phrases, search
from clientela.customers import contact_points
from clientela.customers import selectors as customer_selectors
from clientela.customers import services as customers
from clientela.customers.models import Company, Contact, Source
from clientela.orders.models import Order
from clientela.tickets import routing
from clientela.tickets.departments import (
    ensure_department,
    next_assignee,
    set_due_times,
    tags_of,
    tier_of,
)
from clientela.tickets.models import (
    Channel,
    Department,
    RoutingRule,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from clientela.tickets.writing import MAX_TEXT, assign_owner, check_choice, check_files, clean_text
from clientela.users.models import User

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from clientela.deals.models import Deal


def customer_for_email(*, actor: User | None, email: str, name: str, language: str = "") -> Contact:
    """The live contact with this e-mail address, else a new one (a request from someone
    the business has not met yet), who is written to in `language` when the product
    writes in it (the language their request came in)."""
    address = (email or "").strip().lower()
    if not address:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    found = customer_selectors.oldest_by_email([address]).get(address)
    if found is not None:
        return found
    full_name = " ".join((name or "").split())[:200] or address.split("@", 1)[0]
    data = {"full_name": full_name, "emails": [address], "source": Source.WEB}
    if language in dict(settings.LANGUAGES):
        data["language"] = language
    return customers.create_contact(actor=actor, data=data)


def _order_stage(order: Order | None, contact: Contact | None, company: Company | None) -> str:
    """The status (stage key) routing reads: the ticket's order's, else that of the
    customer's latest order (the contact's, else the company's); "" when there is none."""
    if order is None and (contact is not None or company is not None):
        mine = Order.objects.filter(deleted_at__isnull=True)
        mine = mine.filter(contact=contact) if contact is not None else mine.filter(company=company)
        order = mine.select_related("stage").order_by("-created_at", "-id").first()
    return order.stage.key if order is not None else ""


@transaction.atomic
def open_ticket(
    *,
    actor: User | None,
    channel: str,
    subject: str,
    description: str = "",
    contact: Contact | None = None,
    company: Company | None = None,
    email: str = "",
    name: str = "",
    order: Order | None = None,
    deal: Deal | None = None,
    priority: str = Priority.NORMAL,
    language: str = "",
    tags: Sequence[str] = (),
    department: Department | None = None,
    assignee: User | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """The one way a ticket comes in: a channel (the form, the UI, the API, later e-mail)
    hands over the message and who sent it. The customer is the contact given, or the one
    with the e-mail address (created when there is none); routing rules place the ticket
    in a department unless one is given, and it is assigned in that department's way
    unless an assignee is given. The ticket's SLA clock starts now, in the department's
    business hours."""
    permissions.check_add(actor, "ticket")
    check_choice(channel, list(Channel.values), "channel")
    check_choice(priority, list(Priority.values), "priority")
    subject = " ".join(clean_text(subject, "subject", required=True, limit=200).split())
    description = clean_text(description, "description", required=False, limit=MAX_TEXT)
    language = clean_text(language, "language", required=False, limit=10).lower()
    check_files(attachments)
    if contact is None and (email or "").strip():
        contact = customer_for_email(actor=actor, email=email, name=name, language=language)
    if company is None and contact is not None and contact.company_id:
        company = contact.company
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("That person no longer works here.")})
    customer_tags = tags_of(contact, company)
    tier = tier_of(customer_tags)
    rule = None
    if department is None:
        rules = list(RoutingRule.objects.select_related("department"))
        facts = routing.Facts.of(
            subject=subject,
            description=description,
            tags=customer_tags,
            tier=tier,
            channel=channel,
            language=language,
            order_stage=_order_stage(order, contact, company)
            if routing.needs_order_stage(rules)
            else "",
        )
        rule = routing.first_match(rules, facts)
        department = rule.department if rule is not None else ensure_department()
    now = timezone.now()
    ticket = Ticket(
        subject=subject,
        description=description,
        contact=contact,
        company=company,
        order=order,
        deal=deal,
        department=department,
        priority=priority,
        channel=channel,
        language=language,
        tier=tier,
        status=TicketStatus.NEW,
        status_changed_at=now,
        created_at=now,
    )
    set_due_times(ticket)
    ticket.save()
    if tags:
        ticket.tags.set(contact_points.tags_named(tags))
    search.index(ticket)
    audit.log(actor=actor, action="create", record=ticket, after=audit.snapshot(ticket))
    entry = activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext(
            "Ticket #%(number)s opened: %(subject)s", number=ticket.pk, subject=ticket.subject
        ),
        body=description,
        occurred_at=now,
    )
    TicketMessage.objects.create(ticket=ticket, activity=entry, from_customer=True)
    for upload in attachments:
        activities.attach_file(
            actor=actor, record=ticket, upload=upload, activity=entry, checked=True
        )
    owner = assignee or next_assignee(department)
    if owner is not None:
        reason = _("routing rule %(rule)s") % {"rule": rule.name} if rule is not None else ""
        assign_owner(actor, ticket, owner, reason)
    return ticket
