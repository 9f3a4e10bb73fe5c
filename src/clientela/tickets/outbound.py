"""Replies going back out: an agent's public reply on a ticket that came through a channel
which carries replies (e-mail) is sent by a job, through the sender that channel
registered when its app was ready (the channels sit above the desk, so the desk knows
them only by this registry).

    register_sender(channel, send)  -- a channel's way of carrying replies out
    queue_delivery(message)         -- as a public reply is saved: its job
    deliver(ticket_message_id)      -- the job: the reply sent once through its channel
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from clientela import jobs
from clientela.tickets.models import Ticket, TicketMessage

# The channels that carry an agent's reply to the customer: channel -> send(message).
Sender = Callable[[TicketMessage], str]
_SENDERS: dict[str, Sender] = {}


def register_sender(channel: str, send: Sender) -> None:
    """`send(ticket_message)` carries a public reply out and gives the id it went with."""
    _SENDERS[channel] = send


def tagged_subject(ticket: Ticket) -> str:
    """The subject a reply goes out with: the ticket's, tagged with its number."""
    return f"Re: {ticket.subject} [#{ticket.pk}]"


def queue_delivery(message: TicketMessage) -> None:
    """Called as an agent's public reply is saved: the job that carries it out, if the
    ticket came through a channel that carries replies."""
    if message.internal or message.from_customer or message.ticket.channel not in _SENDERS:
        return
    from clientela.tickets.tasks import deliver_reply

    jobs.enqueue(deliver_reply, message.pk)


def deliver(message_id: int) -> bool:
    """Send a public reply through its ticket's channel, once: the row is locked and given
    the id it went with in the transaction that sends, so a job run twice sends once."""
    with transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update(of=("self",))
            .select_related("ticket", "activity")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.external_id or message.internal:
            return False
        send = _SENDERS.get(message.ticket.channel)
        if send is None:
            return False
        sent_id = send(message)
        if not sent_id:
            return False
        message.external_id = sent_id[:500]
        message.save(update_fields=["external_id"])
    return True
