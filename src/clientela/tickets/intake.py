"""What a channel hands the desk: a message (who sent it, subject, text, files, the
channel's own id and the ids it answers), never a ticket. `take` opens a ticket for a new
request and adds an answer to the ticket it answers; an agent's public reply on a ticket
goes back out through the sender its channel registered (tickets.outbound).

The channels sit above the desk (pyproject's layers): they import this module, and this
module knows them only by what they register when their app is ready.

    take(Inbound(...), department=)  -- the channel's call for each new inbound message
    sent_reply(Inbound(...), recipients=)  -- a reply the desk's inbox sent from elsewhere
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind
from clientela.core import audit, phrases
from clientela.customers.models import EmailAddress
from clientela.tickets import services, writing
from clientela.tickets.models import Department, Ticket, TicketMessage, TicketStatus

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# "[#1234]" in a subject names the ticket an answer belongs to.
TICKET_TAG = re.compile(r"\[#(\d{1,12})\]")


@dataclass(frozen=True)
class Inbound:
    """One message as a channel received it."""

    channel: str
    sender: str
    message_id: str
    name: str = ""
    subject: str = ""
    body: str = ""
    in_reply_to: str = ""
    references: Sequence[str] = ()
    attachments: Sequence[UploadedFile] = ()
    language: str = ""
    # When it was written, if the channel knows (an e-mail's Date); else when it is taken.
    sent_at: datetime.datetime | None = None


def _kept(ticket: Ticket) -> Ticket:
    """A duplicate merged into another one answers on the one kept."""
    seen = {ticket.pk}
    while ticket.merged_into_id is not None and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def ticket_for(message: Inbound, *, customer: Sequence[str] = ()) -> Ticket | None:
    """The live ticket a message answers: the one holding a message it names
    (In-Reply-To, References), else the one its subject's "[#number]" tags if the sender
    (or, for a message to the customer, one of the `customer` addresses) is that ticket's
    customer. A closed ticket is not reopened: the message starts a new one."""
    ticket = None
    named = [i for i in [message.in_reply_to, *reversed(message.references)] if i]
    if named:
        found = (
            TicketMessage.objects.filter(external_id__in=named)
            .exclude(external_id="")
            .select_related("ticket")
            .order_by("-id")
            .first()
        )
        ticket = found.ticket if found is not None else None
    if ticket is None:
        tag = TICKET_TAG.search(message.subject or "")
        tagged = Ticket.objects.filter(pk=int(tag.group(1))).first() if tag else None
        if (
            tagged is not None
            and tagged.contact_id is not None
            and EmailAddress.objects.filter(
                contact_id=tagged.contact_id,
                address__in=[a.strip().lower() for a in (customer or [message.sender])],
            ).exists()
        ):
            ticket = tagged
    if ticket is None:
        return None
    ticket = _kept(ticket)
    if ticket.deleted_at is not None or ticket.status == TicketStatus.CLOSED:
        return None
    return ticket


def _files(attachments: Sequence[UploadedFile]) -> list[UploadedFile]:
    """The files the desk takes; the others are left out rather than refusing the mail."""
    taken = []
    for upload in attachments:
        try:
            activities.check_file(upload)
        except ValidationError:
            continue
        taken.append(upload)
    return taken[: services.MAX_FILES]


@transaction.atomic
def take(message: Inbound, *, department: Department | None = None) -> TicketMessage:
    """The ticket message a channel's inbound message becomes: an answer on the ticket it
    answers, else a new ticket (routed as any other unless `department` is given). A
    message taken before is not taken twice."""
    if message.message_id:
        known = TicketMessage.objects.filter(external_id=message.message_id).first()
        if known is not None:
            return known
    files = _files(message.attachments)
    ticket = ticket_for(message)
    if ticket is not None:
        return customer_reply(
            ticket=ticket, body=message.body, attachments=files, external_id=message.message_id
        )
    subject = " ".join((message.subject or "").split())[:200] or _("(no subject)")
    ticket = services.open_ticket(
        actor=None,
        channel=message.channel,
        subject=subject,
        description=(message.body or "").strip()[: services.MAX_TEXT],
        email=message.sender,
        name=message.name,
        language=message.language,
        department=department,
        attachments=files,
    )
    first = TicketMessage.objects.filter(ticket=ticket).order_by("id").first()
    assert first is not None  # open_ticket writes the customer's request
    first.external_id = message.message_id[:500]
    first.save(update_fields=["external_id"])
    return first


@transaction.atomic
def customer_reply(
    *,
    ticket: Ticket,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    external_id: str = "",
) -> TicketMessage:
    """The customer's answer on their ticket, handed over by a channel: it joins the
    conversation, and a ticket waiting on the customer or resolved is open again (the
    SLA clock runs again from where it stood)."""
    body = (body or "").strip()[: services.MAX_TEXT]
    entry = activities.record_event(
        actor=None,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext("Customer reply on ticket #%(number)s", number=ticket.pk),
        body=body,
        occurred_at=timezone.now(),
        direction="inbound",
    )
    message = TicketMessage.objects.create(
        ticket=ticket, activity=entry, from_customer=True, external_id=external_id[:500]
    )
    for upload in attachments[: services.MAX_FILES]:
        try:
            activities.attach_file(
                actor=None, record=ticket, upload=upload, activity=entry, checked=True
            )
        except ValidationError:  # a type or size not taken: the answer stays
            continue
    if ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
        services.move_status(actor=None, ticket=ticket, to=TicketStatus.OPEN)
    return message


@transaction.atomic
def sent_reply(message: Inbound, *, recipients: Sequence[str]) -> TicketMessage | None:
    """A reply to a ticket's customer that a support inbox sent from another mail program
    (a channel read it in the inbox's Sent folder): an agent's public reply on the ticket
    it answers (by its headers, or its "[#number]" if it went to the ticket's customer),
    already sent, so nothing goes out again. None when it answers no live ticket; a reply
    taken before is not taken twice."""
    if message.message_id:
        known = TicketMessage.objects.filter(external_id=message.message_id).first()
        if known is not None:
            return known
    ticket = ticket_for(message, customer=recipients)
    if ticket is None:
        return None
    at = min(message.sent_at or timezone.now(), timezone.now())
    entry = activities.record_event(
        actor=None,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext("Reply on ticket #%(number)s", number=ticket.pk),
        body=(message.body or "").strip()[: services.MAX_TEXT],
        occurred_at=at,
        direction="outbound",
    )
    # Its id is the one it went with: the customer's answer naming it joins this ticket,
    # and the delivery job, seeing it, never sends it.
    reply = TicketMessage.objects.create(
        ticket=ticket, activity=entry, external_id=message.message_id[:500]
    )
    for upload in _files(message.attachments):
        try:
            activities.attach_file(
                actor=None, record=ticket, upload=upload, activity=entry, checked=True
            )
        except ValidationError:  # a type or size not taken: the reply stays
            continue
    _answered(ticket, at)
    return reply


def _answered(ticket: Ticket, at: datetime.datetime) -> None:
    """A public reply given outside Clientela counts as one written here: the first stops
    the first-response clock (at when it was written), and a new ticket becomes open."""
    before = audit.snapshot(ticket)
    fields: list[str] = []
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
        fields.append("first_responded_at")
    if ticket.status == TicketStatus.NEW:
        services.move_status(
            actor=None, ticket=ticket, to=TicketStatus.OPEN, before=before, also=fields
        )
    elif fields:
        writing.saved(None, ticket, before, "update", fields, None)
