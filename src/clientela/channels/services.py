"""Every write of the channels app: mail accounts, fetching a folder into conversations and
timelines, contacts created from unknown senders, and sending."""

from __future__ import annotations

import datetime
import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.channels import mail, secrets, selectors, timelines, transport
from clientela.channels.models import (
    Channel,
    Conversation,
    Direction,
    MailAccount,
    MailFolder,
    Message,
    OutgoingMail,
    OutgoingStatus,
    State,
)
from clientela.core import audit, merge_fields, permissions, search
from clientela.core.records import RecordRef
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.tickets import intake, outbound
from clientela.tickets.models import Channel as TicketChannel
from clientela.tickets.models import TicketMessage

if TYPE_CHECKING:
    import imaplib

    from clientela.core.models import Record
    from clientela.users.models import User

log = logging.getLogger(__name__)
# A message whose headers name no known one joins a thread with the same subject and
# people if that thread spoke this recently.
THREAD_WINDOW = datetime.timedelta(days=30)
# Messages fetched are kept this many to a transaction (one commit each, not one per
# message: a commit is most of a message's cost), with the folder's last UID.
KEEP_BATCH = 100
# How far ahead an e-mail may be scheduled.
MAX_SCHEDULE = datetime.timedelta(days=366)


# Accounts ------------------------------------------------------------------------------


@transaction.atomic
def save_account(*, actor: User | None, instance: MailAccount | None, data: dict) -> MailAccount:
    """A new account or a change to one, from the settings page: a password left empty
    keeps the one stored; passwords are kept encrypted."""
    permissions.require(actor, "manage_settings")
    account = instance if instance is not None else MailAccount()
    before = None if account.pk is None else audit.snapshot(account)
    data = dict(data)
    for side in ("imap", "smtp"):
        password = data.pop(f"{side}_password", "") or ""
        if password:
            setattr(account, f"{side}_password", secrets.encrypt(password))
    if not account.imap_password:
        raise ValidationError({"imap_password": _("Give the IMAP password.")})
    return save_held(actor=actor, account=account, data=data, before=before)


def save_held(*, actor: User | None, account: Any, data: dict, before: dict | None) -> Any:
    """The rest of an account's form set on it (text trimmed), checked (one holder at
    most), saved and audited: what e-mail and messenger accounts share."""
    for name, value in data.items():
        setattr(account, name, value.strip() if isinstance(value, str) else value)
    if account.owner_id and account.team_id:
        raise ValidationError(
            {"team": _("An account is either a person's own or shared with a team, not both.")}
        )
    account.full_clean()
    account.save()
    action = "create" if before is None else "update"
    audit.log(
        actor=actor, action=action, record=account, before=before, after=audit.snapshot(account)
    )
    return account


def test_account(*, actor: User, account: MailAccount) -> str:
    """ "" when both servers accept the account, else what went wrong, in words."""
    if not selectors.may_use(actor, account):
        raise PermissionDenied(_("You may not use this e-mail account."))
    try:
        transport.check(account)
    except transport.MailServerError as error:
        return str(error)[:300] or _("The server did not answer.")
    return ""


# Fetching ------------------------------------------------------------------------------


def fetch_account(account: MailAccount) -> int:
    """New messages of the account's inbox, then of its Sent folder (what was sent from
    another mail program joins its thread as sent, and answers it), each from the last UID
    kept on: a batch of messages kept with the last UID in one transaction, so a fetch
    killed half-way starts again where it stopped and a message read twice is still kept
    once (a copy of what the CRM sent is recognised). The number of messages kept."""
    kept = 0
    try:
        client = transport.connect_imap(account)
        try:
            kept += _fetch_folder(client, account, account.inbox_folder)
            sent = account.sent_folder.strip()
            if sent and sent != account.inbox_folder:
                kept += _fetch_folder(client, account, sent, missing_ok=True)
        finally:
            transport.logout(client)
    except transport.MailServerError as error:
        MailAccount.objects.filter(pk=account.pk).update(last_error=str(error)[:500])
        log.warning("fetching %s failed: %s", account.address, error)
        return kept
    MailAccount.objects.filter(pk=account.pk).update(last_fetched_at=timezone.now(), last_error="")
    return kept


def _fetch_folder(
    client: imaplib.IMAP4, account: MailAccount, name: str, *, missing_ok: bool = False
) -> int:
    """The folder's messages above its last UID kept; a Sent folder the server does not
    have (`missing_ok`: nothing was sent yet) is nothing to read."""
    try:
        state = transport.open_folder(client, name, 0)
    except transport.MailServerError:
        if missing_ok:
            return 0
        raise
    folder, _created = MailFolder.objects.get_or_create(account=account, name=name)
    if state.uidvalidity != folder.uidvalidity:
        # The server renumbered the folder: read it all again (known ones are skipped).
        folder.uidvalidity, folder.last_uid = state.uidvalidity, 0
        folder.save(update_fields=["uidvalidity", "last_uid"])
    uids = [uid for uid in state.uids if uid > folder.last_uid]
    own = selectors.own_addresses()
    kept = 0
    batch: list[tuple[int, bytes]] = []
    for item in transport.fetch(client, uids):
        batch.append(item)
        if len(batch) >= KEEP_BATCH:
            kept += _keep_batch(account, folder, batch, own)
            batch = []
            release_cache()
    if batch:
        kept += _keep_batch(account, folder, batch, own)
        release_cache()
    return kept


def release_cache() -> None:
    """SQLite's page cache handed back after a batch: a fetch writes pages it will not read
    again (new rows, their index entries), and the connection kept each of them, up to
    its cache_size (64 MB, config.SQLITE_PRAGMAS), so its memory grew with every message
    fetched. The pages read again next batch come back from the OS's file cache."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA shrink_memory")


def _keep_batch(
    account: MailAccount, folder: MailFolder, batch: list[tuple[int, bytes]], own: set[str]
) -> int:
    """A batch of the folder's messages kept, and the folder's last UID moved past them, in
    one transaction: all of it or none, so a fetch killed half-way reads the batch again
    (and keeps no message twice). How many were new."""
    kept = 0
    with transaction.atomic():
        for uid, raw in batch:
            if receive(account=account, raw=raw, folder=folder.name, uid=uid, own=own):
                kept += 1
        MailFolder.objects.filter(pk=folder.pk).update(last_uid=batch[-1][0])
    return kept


def fetch_active_account(account_id: int) -> int:
    """`fetch_account` for the account with this id, if it is still there and active."""
    account = MailAccount.objects.filter(pk=account_id, is_active=True).first()
    return 0 if account is None else fetch_account(account)


def fetch_all() -> int:
    return sum(fetch_account(account) for account in MailAccount.objects.filter(is_active=True))


# No savepoint of its own: inside a fetch's batch a failure undoes the whole batch anyway.
@transaction.atomic(savepoint=False)
def receive(
    *,
    account: MailAccount,
    raw: bytes,
    folder: str = "",
    uid: int | None = None,
    own: set[str] | None = None,
) -> Message | None:
    """Keep one raw message of the account (None when it is kept already): threaded, and on
    the timelines of the contacts whose addresses it carries. `own`: the accounts'
    addresses, when the caller read them once for many messages."""
    parsed = mail.parse(raw)
    if Message.objects.filter(
        channel=Channel.EMAIL, account=account, external_id=parsed.message_id
    ).exists():
        return None
    own = selectors.own_addresses() if own is None else own
    direction = Direction.OUTBOUND if parsed.from_address in own else Direction.INBOUND
    try:
        with transaction.atomic():  # a concurrent fetch of the same message: one wins
            message = _keep(account, parsed, direction=direction, folder=folder, uid=uid)
    except IntegrityError:
        return None
    if account.desk_department_id is not None:
        if direction == Direction.INBOUND:
            _hand_to_desk(account, message, parsed)
            return message
        if _hand_reply_to_desk(message, parsed):
            return message
    contacts = timelines.contacts_for(parsed.addresses, own)
    if contacts:
        timelines.put_on_timelines(message, list(contacts), parsed.attachments)
    else:
        # Unknown sender: the raw message waits, so its files come along once a contact
        # is made from it.
        message.raw.save(f"{message.pk}.eml", ContentFile(raw), save=True)
    return message


def _hand_to_desk(account: MailAccount, message: Message, parsed: mail.Parsed) -> None:
    """A support inbox's message handed to the desk as it came: it opens a ticket, or joins
    the ticket it answers; the ticket's entry is the message's entry on the timelines."""
    handed = intake.take(_for_desk(parsed), department=account.desk_department)
    message.activity_id = handed.activity_id
    message.save(update_fields=["activity"])


def _hand_reply_to_desk(message: Message, parsed: mail.Parsed) -> bool:
    """A support inbox's message sent from another mail program (read in its Sent folder)
    that answers a ticket: the ticket's public reply, whose entry is the message's entry
    on the timelines. False when it answers no ticket (it goes on the timelines as any
    other sent message)."""
    reply = intake.sent_reply(_for_desk(parsed), recipients=[*parsed.to, *parsed.cc])
    if reply is None:
        return False
    message.activity_id = reply.activity_id
    message.save(update_fields=["activity"])
    return True


def _for_desk(parsed: mail.Parsed) -> intake.Inbound:
    return intake.Inbound(
        channel=TicketChannel.EMAIL,
        sender=parsed.from_address,
        name=parsed.from_name,
        subject=parsed.subject,
        body=parsed.text or mail.html_to_text(parsed.html),
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=tuple(parsed.references),
        attachments=[
            SimpleUploadedFile(item.name, item.data, item.content_type)
            for item in parsed.attachments
        ],
        sent_at=parsed.date,
    )


def _keep(
    account: MailAccount | None,
    parsed: mail.Parsed,
    *,
    direction: str,
    folder: str = "",
    uid: int | None = None,
) -> Message:
    conversation = _thread(account, parsed)
    message = Message.objects.create(
        channel=Channel.EMAIL,
        conversation=conversation,
        account=account,
        direction=direction,
        external_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=" ".join(parsed.to),
        cc=" ".join(parsed.cc),
        subject=parsed.subject,
        text=parsed.text,
        html=parsed.html,
        sent_at=parsed.date,
        folder=folder,
        uid=uid,
    )
    if parsed.date >= conversation.last_message_at:
        # The unified inbox: a thread waits for an answer while its last message is in.
        changes: dict = {"last_message_at": parsed.date, "awaiting_reply": direction == "inbound"}
        if direction == Direction.INBOUND:
            changes |= {"state": State.OPEN, "snoozed_until": None}
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
    search.index(message)
    return message


def _thread(account: MailAccount | None, parsed: mail.Parsed) -> Conversation:
    """The conversation a message belongs to: the one holding a message it answers
    (In-Reply-To, References), else a recent one with the same subject and people."""
    named = [parsed.in_reply_to, *reversed(parsed.references)]
    named = [i for i in named if i]
    if named:
        known = (
            Message.objects.filter(channel=Channel.EMAIL, external_id__in=named)
            .values_list("external_id", "conversation_id")
            .first()
        )
        if known:
            return Conversation.objects.get(pk=known[1])
    subject_key = mail.subject_key(parsed.subject)
    people = mail.participants_key(parsed.addresses)
    if subject_key:
        same = (
            Conversation.objects.filter(
                channel=Channel.EMAIL,
                subject_key=subject_key,
                participants_key=people,
                last_message_at__gte=parsed.date - THREAD_WINDOW,
            )
            .order_by("-last_message_at")
            .first()
        )
        if same:
            return same
    return Conversation.objects.create(
        channel=Channel.EMAIL,
        account=account,
        subject=parsed.subject,
        subject_key=subject_key,
        participants_key=people,
        last_message_at=parsed.date,
    )


# Unknown senders -----------------------------------------------------------------------


@transaction.atomic
def create_contact_from_sender(*, actor: User, message: Message) -> Contact:
    """A contact made from a message's sender (name and address), and the message put on
    their timeline; one already having the address is used instead."""
    if not selectors.may_use(actor, message.account):
        raise PermissionDenied(_("You may not use this e-mail account."))
    address = message.from_address if message.direction == Direction.INBOUND else ""
    if not address:
        raise ValidationError(_("This message has no sender address to make a contact from."))
    existing = timelines.contacts_for([address], set())
    if existing:
        contact = cast("Contact", existing[0])
    else:
        name = message.from_name or address.split("@")[0]
        contact = customers.create_contact(
            actor=actor, data={"full_name": name[:200], "emails": [address]}
        )
    files: list[mail.Attachment] = []
    if message.raw:
        with message.raw.open("rb") as raw:
            files = mail.parse(raw.read()).attachments
    timelines.put_on_timelines(message, [contact], files)
    if message.raw:
        message.raw.delete(save=True)
    return contact


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
        message = _keep(account, parsed, direction=Direction.OUTBOUND)
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
    kept = _keep(account, mail.parse(raw), direction=Direction.OUTBOUND)
    kept.activity_id = reply.activity_id
    kept.save(update_fields=["activity"])
    return kept.external_id


def _plausible(address: str) -> bool:
    name, _sep, domain = address.rpartition("@")
    return bool(name) and "." in domain and " " not in address and len(address) <= 254
