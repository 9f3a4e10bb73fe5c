"""Sending e-mail from the CRM: at once, after the undo delay or at a chosen time (a job),
and an agent's reply on a ticket that came in by e-mail; each message sent kept in its
thread and on the timelines, as one fetched would be."""

from __future__ import annotations

import datetime
import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.channels import mail, selectors, services, timelines, transport
from clientela.channels.models import (
    Channel,
    Direction,
    MailAccount,
    Message,
    OutgoingMail,
    OutgoingStatus,
)
from clientela.core import merge_fields, permissions
from clientela.core.records import RecordRef
from clientela.tickets import outbound
from clientela.tickets.models import TicketMessage

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User

log = logging.getLogger(__name__)

# How far ahead an e-mail may be scheduled.
MAX_SCHEDULE = datetime.timedelta(days=366)

# Sending -------------------------------------------------------------------------------


def send_email(
    *,
    actor: User,
    account: MailAccount,
    record: Record,
    to: list[str],
    subject: str,
    body: str,
    reply_to: Message | None = None,
) -> Message:
    """Send a message from `account` about `record` (a contact, company or deal), as a reply
    in `reply_to`'s thread if given: sent over SMTP, a copy put in the Sent folder, kept in
    the conversation and on the timelines of the contacts it goes to and of `record`."""
    to = _may_send(actor, account, record, to, body)
    subject, body = merged(record=record, sender=actor, subject=subject, body=body)
    outgoing = _outgoing(account, actor.display_name, to, subject, body, reply_to)
    raw = _deliver(account, outgoing)
    with transaction.atomic():
        parsed = mail.parse(raw)
        message = services.keep(account, parsed, direction=Direction.OUTBOUND)
        contacts = timelines.contacts_for(parsed.to, selectors.own_addresses())
        records = [*contacts, *([record] if record not in contacts else [])]
        timelines.put_on_timelines(message, records, [], actor=actor)
    return message


def _may_send(
    actor: User, account: MailAccount, record: Record, to: list[str], body: str
) -> list[str]:
    """The addresses to send to, once the actor may send from the account about the
    record and the message is complete; else PermissionDenied or ValidationError."""
    if not selectors.may_use(actor, account):
        raise PermissionDenied(_("You may not use this e-mail account."))
    permissions.require(actor, "log_activity")
    if not permissions.allows(actor, record, "view"):
        raise PermissionDenied(_("You may not see %(record)s.") % {"record": record})
    to = [a.strip().lower() for a in to if a.strip()]
    if not to or any(not _plausible(a) for a in to):
        raise ValidationError({"to": _("Give the addresses to send to, separated by commas.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the message first.")})
    return to


def merged(*, record: Record, sender: User, subject: str, body: str) -> tuple[str, str]:
    """The subject and text with their merge fields (an e-mail template's, or typed into
    the composer) filled from the record and the sender; an unknown one is refused."""
    sources = merge_fields.Sources.about(record, sender)
    return merge_fields.fill(subject, sources, "subject"), merge_fields.fill(body, sources)


# Sending later: undo-send and scheduled send -------------------------------------------


@transaction.atomic
def queue_email(
    *,
    actor: User,
    account: MailAccount,
    record: Record,
    to: list[str],
    subject: str,
    body: str,
    reply_to: Message | None = None,
    send_at: datetime.datetime | None = None,
) -> OutgoingMail:
    """An e-mail from the composer, sent by a job: at `send_at` if given (a time to come),
    else after UNDO_SECONDS in which its author can take it back. Checked now as if sent
    now, and again when the job sends it."""
    to = _may_send(actor, account, record, to, body)
    subject, body = merged(record=record, sender=actor, subject=subject, body=body)
    now = timezone.now()
    if send_at is not None and send_at <= now:
        raise ValidationError({"send_at": _("Choose a time to come, or send it now.")})
    if send_at is not None and send_at > now + MAX_SCHEDULE:
        raise ValidationError({"send_at": _("Schedule it at most a year ahead.")})
    outgoing = OutgoingMail.objects.create(
        account=account,
        author=actor,
        record=RecordRef.of(record).token,
        to=", ".join(to),
        subject=" ".join(subject.split())[:300],
        body=body,
        reply_to=reply_to,
        send_at=send_at or now + datetime.timedelta(seconds=settings.MAIL_UNDO_SECONDS),
    )
    from clientela.channels.tasks import send_outgoing

    jobs.schedule_at(outgoing.send_at, send_outgoing, outgoing.pk)
    return outgoing


@transaction.atomic
def cancel_email(*, actor: User, outgoing: OutgoingMail) -> OutgoingMail:
    """Take back an e-mail not sent yet: only its author, only while it waits."""
    locked = OutgoingMail.objects.select_for_update().get(pk=outgoing.pk)
    if locked.author_id != actor.pk:
        raise PermissionDenied(_("Only its author can take back this e-mail."))
    if locked.status != OutgoingStatus.PENDING:
        raise ValidationError(_("Too late: this e-mail has left already."))
    locked.status = OutgoingStatus.CANCELLED
    locked.save(update_fields=["status"])
    return locked


def send_outgoing(outgoing_id: int) -> bool:
    """The job: send a waiting e-mail as its author, once. The row is locked while it is
    sent, so an undo racing the job either wins (nothing is sent) or is refused; a job run
    twice, or for a cancelled e-mail, sends nothing."""
    with transaction.atomic():
        outgoing = (
            OutgoingMail.objects.select_for_update(of=("self",))
            .select_related("account", "author", "reply_to")
            .filter(pk=outgoing_id)
            .first()
        )
        if outgoing is None or outgoing.status != OutgoingStatus.PENDING:
            return False
        if outgoing.send_at > timezone.now():  # too early: its own job comes later
            return False
        try:
            record = cast("Record", RecordRef.parse(outgoing.record).get())
            message = send_email(
                actor=outgoing.author,
                account=outgoing.account,
                record=record,
                to=outgoing.to.split(","),
                subject=outgoing.subject,
                body=outgoing.body,
                reply_to=outgoing.reply_to,
            )
        except (ValidationError, PermissionDenied, ObjectDoesNotExist, ValueError) as error:
            outgoing.status = OutgoingStatus.FAILED
            outgoing.error = " ".join(getattr(error, "messages", [str(error)]))[:500]
            outgoing.save(update_fields=["status", "error"])
            return False
        outgoing.status, outgoing.message = OutgoingStatus.SENT, message
        outgoing.save(update_fields=["status", "message"])
    return True


def _outgoing(
    account: MailAccount,
    sender_name: str,
    to: list[str],
    subject: str,
    body: str,
    reply_to: Message | None,
) -> EmailMessage:
    """A message from the account, threaded under `reply_to` when given."""
    outgoing = EmailMessage()
    outgoing["From"] = formataddr((sender_name, account.address))
    outgoing["To"] = ", ".join(to)
    outgoing["Subject"] = " ".join(subject.split())[:300]
    outgoing["Date"] = format_datetime(timezone.now())
    outgoing["Message-ID"] = make_msgid(domain=account.address.rsplit("@", 1)[-1])
    if reply_to is not None:
        references = [*reply_to.references.split(), reply_to.external_id][-50:]
        outgoing["In-Reply-To"] = reply_to.external_id
        outgoing["References"] = " ".join(references)
    outgoing.set_content(body)
    return outgoing


def _deliver(account: MailAccount, outgoing: EmailMessage) -> bytes:
    """Send over the account's SMTP server and put a copy in its Sent folder: the raw
    message sent. A server that does not take it is a ValidationError, in words."""
    try:
        transport.send(account, outgoing)
    except transport.MailServerError as error:
        raise ValidationError(
            _("The mail server did not take the message: %(error)s") % {"error": error}
        ) from error
    raw = outgoing.as_bytes()
    try:
        transport.append(account, account.sent_folder, raw)
    except transport.MailServerError as error:  # sent all the same; only the copy is missing
        log.warning("no copy in %s of %s: %s", account.sent_folder, account.address, error)
    return raw


def send_ticket_reply(reply: TicketMessage) -> str:
    """An agent's public reply on a ticket that came in by e-mail, sent from the support
    inbox it came to, to its customer, threaded under the customer's last message and
    tagged with the ticket's number; kept in the thread with the reply's own timeline
    entry. The Message-ID it went with ("" when the ticket has no e-mail to answer)."""
    ticket = reply.ticket
    last = (
        Message.objects.filter(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            activity_id__in=TicketMessage.objects.filter(ticket=ticket).values("activity_id"),
        )
        .select_related("account")
        .order_by("-sent_at", "-id")
        .first()
    )
    if last is None or last.account is None:
        return ""
    account = last.account
    contact = ticket.contact
    to = (contact.email if contact is not None else "") or last.from_address
    if not to:
        return ""
    author = reply.activity.author
    sender_name = author.display_name if author is not None else str(account.name)
    outgoing = _outgoing(
        account, sender_name, [to], outbound.tagged_subject(ticket), reply.activity.body, last
    )
    raw = _deliver(account, outgoing)
    kept = services.keep(account, mail.parse(raw), direction=Direction.OUTBOUND)
    kept.activity_id = reply.activity_id
    kept.save(update_fields=["activity"])
    return kept.external_id


def _plausible(address: str) -> bool:
    name, _sep, domain = address.rpartition("@")
    return bool(name) and "." in domain and " " not in address and len(address) <= 254
