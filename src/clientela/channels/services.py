"""Every write of the channels app but sending (`channels.sending`): mail accounts, fetching a
folder into conversations and timelines, contacts created from unknown senders."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.channels import mail, secrets, selectors, timelines, transport
from clientela.channels.models import (
    Channel,
    Conversation,
    Direction,
    MailAccount,
    MailFolder,
    Message,
    State,
)
from clientela.core import audit, permissions, search
from clientela.customers import selectors as customer_selectors
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.tickets import intake
from clientela.tickets.models import Channel as TicketChannel

if TYPE_CHECKING:
    import imaplib

    from clientela.users.models import User

log = logging.getLogger(__name__)
# A message whose headers name no known one joins a thread with the same subject and
# people if that thread spoke this recently.
THREAD_WINDOW = datetime.timedelta(days=30)
# Messages fetched are kept this many to a transaction (one commit each, not one per
# message: a commit is most of a message's cost), with the folder's last UID.
KEEP_BATCH = 100


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
            message = keep(account, parsed, direction=direction, folder=folder, uid=uid)
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


def keep(
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
    contact = customer_selectors.oldest_by_email([address]).get(address)
    if contact is None:
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
